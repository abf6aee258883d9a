// bench/peers/fastify/server.js - make bench's Node.js peer: the endpoints
// make bench times, in Fastify with its own JSON parsing, the arithmetic in
// plain loops over Float64Array. The same requests and the same answer
// shapes as psinet (bench/peers/check.py compares them before timing).
//
//   node bench/peers/fastify/server.js PORT
'use strict';
const fastify = require('fastify')({ logger: false, bodyLimit: 64 << 20 });

const act = {
  identity: (z) => z,
  relu: (z) => z.map((v) => (v > 0 ? v : 0)),
  tanh: (z) => z.map(Math.tanh),
  sigmoid: (z) => z.map((v) => 1 / (1 + Math.exp(-v))),
  softmax: (z) => {
    let m = -Infinity;
    for (const v of z) m = Math.max(m, v);
    const e = z.map((v) => Math.exp(v - m));
    let s = 0;
    for (const v of e) s += v;
    return e.map((v) => v / s);
  },
};

// rows x cols row-major from an array of arrays
function matrix(rows) {
  const m = rows.length, n = rows[0].length;
  const w = new Float64Array(m * n);
  for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) w[j * n + i] = rows[j][i];
  return { w, m, n };
}

function forward(layer, x) {
  const { w, m, n } = layer;
  const z = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = layer.bias ? layer.bias[j] : 0;
    for (let i = 0; i < n; i++) s += w[j * n + i] * x[i];
    z[j] = s;
  }
  return { z, a: act[layer.activation](z) };
}

function layerOf(body) {
  const l = matrix(body.weights);
  l.bias = body.bias ? Float64Array.from(body.bias) : null;
  l.activation = body.activation;
  return l;
}

fastify.get('/healthz', async () => ({ status: 'ok' }));

fastify.post('/v1/superpositions/normalize', async (req) => {
  const amps = req.body.amplitudes, n = amps.length;
  const re = new Float64Array(n), im = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const a = amps[i];
    re[i] = Array.isArray(a) ? a[0] : a;
    im[i] = Array.isArray(a) ? a[1] : 0;
    s += re[i] * re[i] + im[i] * im[i];
  }
  const norm = Math.sqrt(s);
  const out = new Array(n), p = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = re[i] / norm, m = im[i] / norm;
    out[i] = [r, m];
    p[i] = r * r + m * m;
  }
  return { amplitudes: out, norm, probabilities: p };
});

fastify.post('/v1/layers/forward', async (req) => {
  const { z, a } = forward(layerOf(req.body), Float64Array.from(req.body.input));
  return { pre_activation: Array.from(z), output: Array.from(a) };
});

const networks = new Map();
fastify.post('/v1/networks', async (req, reply) => {
  const id = 'net_' + (networks.size + 1);
  networks.set(id, req.body.layers.map(layerOf));
  reply.code(201);
  return { id };
});

fastify.post('/v1/networks/:id/forward', async (req, reply) => {
  const layers = networks.get(req.params.id);
  if (!layers) return reply.code(404).send({ status: 404 });
  let x = Float64Array.from(req.body.input);
  for (const l of layers) x = forward(l, x).a;
  return { output: Array.from(x) };
});

fastify.listen({ port: Number(process.argv[2]), host: '127.0.0.1' }, (err) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
});
