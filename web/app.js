// app.js - the lab page: its views (State, Layer and network,
// Experiments), the API key, and what they share. Everything it shows
// comes from psinet's public JSON API, through psinet.js.
import { Psinet } from './psinet.js';
import { installCopy, installErrorClearing } from './ui.js';
import * as stateView from './state.js';
import * as layerView from './layer.js';
import * as experimentsView from './experiments.js';

const KEY_ITEM = 'psinet.apiKey'; // sessionStorage: this tab, this session

// psinet is the origin (and path) that served this page, so the page works
// behind a proxy that serves psinet under a prefix too.
const base = new URL('.', window.location.href).href.replace(/\/$/, '');
const api = new Psinet({ base, key: window.sessionStorage.getItem(KEY_ITEM) });

// ------------------------------------------------------------------ events
// What one view tells the others: 'states' and 'networks' (a list of the
// stored ones changed), 'key' (the API key changed).
const listeners = new Map();
const lab = {
  api,
  on(event, fn) {
    if (!listeners.has(event)) listeners.set(event, []);
    listeners.get(event).push(fn);
  },
  emit(event, data) {
    for (const fn of listeners.get(event) || []) fn(data);
  },
  /** Shows a view by name, and what in it the rest of the hash names. */
  go(hash) {
    if (window.location.hash !== `#${hash}`) window.location.hash = hash;
    else route();
  },
};

// ------------------------------------------------------------------ the API key
const keyPanel = document.getElementById('key-panel');
const keyInput = document.getElementById('key-input');
const keyWhy = document.getElementById('key-why');
const keyBadge = document.getElementById('key-badge');
const alertBox = document.getElementById('lab-alert');

function showKeyState() {
  keyBadge.textContent = api.key ? 'set' : 'none';
  keyBadge.classList.toggle('set', Boolean(api.key));
}

// A 401 anywhere: open the key panel, say why, and keep the request's error
// for the view that made it.
const send = api.request.bind(api);
api.request = async (...args) => {
  try {
    return await send(...args);
  } catch (e) {
    if (e.status === 401) {
      keyWhy.textContent = `psinet needs its API key for this: ${e.detail || e.message}`;
      alertBox.textContent = api.key
        ? 'psinet did not accept the API key: enter the right one under "API key" at the top.'
        : 'This psinet has an API key: enter it under "API key" at the top, then try again.';
      alertBox.hidden = false;
      if (!keyPanel.open) {
        keyPanel.open = true;
        keyInput.focus();
      }
    }
    throw e;
  }
};

document.getElementById('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  api.key = key || null;
  if (key) window.sessionStorage.setItem(KEY_ITEM, key);
  else window.sessionStorage.removeItem(KEY_ITEM);
  keyInput.value = '';
  keyPanel.open = false;
  alertBox.hidden = true;
  keyWhy.textContent = 'Kept for this browser tab only, and sent to this psinet alone.';
  showKeyState();
  lab.emit('key');
  loadVersion();
});

document.getElementById('key-forget').addEventListener('click', () => {
  api.key = null;
  window.sessionStorage.removeItem(KEY_ITEM);
  keyInput.value = '';
  showKeyState();
});

// ------------------------------------------------------------------ views
const views = ['state', 'layer', 'experiments'];

function route() {
  const [name, ...rest] = window.location.hash.replace(/^#/, '').split('/');
  const view = views.includes(name) ? name : 'state';
  for (const v of views) {
    document.getElementById(`view-${v}`).hidden = v !== view;
    const link = document.querySelector(`nav a[data-view="${v}"]`);
    if (v === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${document.querySelector(`nav a[data-view="${view}"]`).textContent} · psinet lab`;
  if (view === 'experiments' && rest.length) experimentsView.openFromHash(rest.join('/'));
}

async function loadVersion() {
  try {
    const v = await api.version();
    document.getElementById('version').textContent = v.version;
  } catch {
    // the footer stays without it; a 401 has opened the key panel
  }
}

installCopy();
installErrorClearing();
showKeyState();
stateView.init(lab);
layerView.init(lab);
experimentsView.init(lab);
window.addEventListener('hashchange', route);
route();
loadVersion();
document.documentElement.dataset.ready = 'true';
