"""bench/peers/fastapi_peer.py - make bench's Python peer: the endpoints
make bench times, in FastAPI under uvicorn (one worker, uvloop and
httptools), bodies parsed and answers written with ujson (Debian's C JSON
codec; orjson is not packaged), the arithmetic in numpy. The same requests
and the same answer shapes as psinet (bench/peers/check.py compares them
before timing).

    python3 -m uvicorn --app-dir bench/peers fastapi_peer:app --port PORT \
        --workers 1 --loop uvloop --http httptools --no-access-log
"""

import itertools

import numpy as np
import ujson
from fastapi import FastAPI, Request
from fastapi.responses import Response

app = FastAPI()
ids = itertools.count(1)
networks = {}


def reply(value, status=200):
    return Response(ujson.dumps(value), status_code=status,
                    media_type="application/json")


def activation(name, z):
    if name == "identity":
        return z
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    e = np.exp(z - z.max())  # softmax
    return e / e.sum()


def layer_of(body):
    return (np.array(body["weights"], dtype=np.float64),
            np.array(body["bias"], dtype=np.float64) if body.get("bias")
            else None, body["activation"])


def forward(layer, x):
    w, b, act = layer
    z = w @ x
    if b is not None:
        z = z + b
    return z, activation(act, z)


@app.get("/healthz")
async def healthz():
    return reply({"status": "ok"})


@app.post("/v1/superpositions/normalize")
async def normalize(request: Request):
    body = ujson.loads(await request.body())
    a = np.array(body["amplitudes"], dtype=np.float64)
    c = a[:, 0] + 1j * a[:, 1] if a.ndim == 2 else a.astype(np.complex128)
    norm = float(np.linalg.norm(c))
    c = c / norm
    return reply({"amplitudes": np.stack([c.real, c.imag], 1).tolist(),
                  "norm": norm,
                  "probabilities": (c.real ** 2 + c.imag ** 2).tolist()})


@app.post("/v1/layers/forward")
async def layers_forward(request: Request):
    body = ujson.loads(await request.body())
    z, a = forward(layer_of(body), np.array(body["input"], dtype=np.float64))
    return reply({"pre_activation": z.tolist(), "output": a.tolist()})


@app.post("/v1/networks")
async def networks_create(request: Request):
    body = ujson.loads(await request.body())
    nid = "net_%d" % next(ids)
    networks[nid] = [layer_of(layer) for layer in body["layers"]]
    return reply({"id": nid}, 201)


@app.post("/v1/networks/{nid}/forward")
async def networks_forward(nid: str, request: Request):
    layers = networks.get(nid)
    if layers is None:
        return reply({"status": 404}, 404)
    x = np.array(ujson.loads(await request.body())["input"], dtype=np.float64)
    for layer in layers:
        x = forward(layer, x)[1]
    return reply({"output": x.tolist()})
