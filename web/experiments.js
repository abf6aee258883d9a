// experiments.js - the Experiments view: run each kind from a form, browse
// the stored ones with the filters and cursor pages the API has, open one
// to see its parameters, metrics and charts, edit its name, notes and
// tags, rerun it to verify its result, and export every experiment the
// filters select as a CSV or NDJSON file.
import {
  h, num, barChart, showProblem, clearErrors, readVector, readInteger,
  time, say, prettyJson,
} from './ui.js';
import { setUpActivations, readLayer, describe } from './layer.js';

/**
 * Actions on the open experiment, shown as buttons above its metrics. Each
 * is {label, name, run(experiment, lab, box)}: box is where it shows its
 * answer (box.querySelector('.action-result')) or psinet's error
 * (showProblem(box, e)); an experiment it returns is shown. (Export
 * works on the filters, not on one experiment: its buttons are the
 * filters'.)
 */
export const EXPERIMENT_ACTIONS = [
  { label: 'Rerun and verify', name: 'rerun', run: rerun },
];

let lab;
let api;
let current = null; // the experiment open in the detail
const pages = { cursors: [null], index: 0, filters: {} };

const $ = (id) => document.getElementById(id);
const checked = (name) => document.querySelector(`input[name="${name}"]:checked`).value;

// ------------------------------------------------------------------ running one

function kind() {
  return $('exp-kind').value;
}

// The params of the form's kind, as psinet takes them.
function readParams() {
  if (kind() === 'layer_superposition') {
    const params = {};
    if (checked('ls-source') === 'layer') params.layer = readLayer('ls-');
    else params.network_id = $('ls-network').value || undefined;
    const input = readVector($('ls-input'));
    if (input !== null) params.input = input;
    params.mapping = $('ls-mapping').value;
    const shots = readInteger($('ls-shots'));
    if (shots !== null) params.shots = shots;
    const seed = readInteger($('ls-seed'));
    if (seed !== null) params.seed = seed;
    return params;
  }
  const params = {};
  if (checked('na-source') === 'amplitudes') {
    const amplitudes = readVector($('na-amplitudes'));
    if (amplitudes !== null) params.amplitudes = amplitudes;
  } else {
    params.superposition_id = $('na-state').value || undefined;
  }
  const layer = readLayer('na-');
  Object.assign(params, layer);
  return params;
}

function readTags(field) {
  return field.value.split(',').map((t) => t.trim()).filter((t) => t !== '');
}

async function runExperiment(event) {
  event.preventDefault();
  const form = $('exp-form');
  clearErrors(form);
  say($('exp-status'), '');
  try {
    const body = { name: $('exp-name').value.trim(), kind: kind(), params: readParams(), tags: readTags($('exp-tags')) };
    const notes = $('exp-notes').value;
    if (notes.trim() !== '') body.notes = notes;
    const exp = await api.createExperiment(body);
    say($('exp-status'), `Stored as ${exp.id}.`);
    showDetail(exp);
    await loadPage(0, true);
  } catch (e) {
    showProblem(form, e);
  }
}

function switchKind() {
  const k = kind();
  $('exp-ls').hidden = k !== 'layer_superposition';
  $('exp-na').hidden = k !== 'neuron_activation';
  clearErrors($('exp-form'));
}

function switchSources() {
  const ls = checked('ls-source');
  document.querySelector('#exp-ls .ls-layer').hidden = ls !== 'layer';
  document.querySelector('#exp-ls .ls-network').hidden = ls !== 'network';
  const na = checked('na-source');
  document.querySelector('#exp-na .na-amplitudes').hidden = na !== 'amplitudes';
  document.querySelector('#exp-na .na-stored').hidden = na !== 'stored';
}

function fillSelect(select, items, text, none) {
  const was = select.value;
  select.replaceChildren(...(items.length
    ? items.map((x) => h('option', { value: x.id }, text(x)))
    : [h('option', { value: '' }, none)]));
  if (items.some((x) => x.id === was)) select.value = was;
}

async function loadStates() {
  try {
    const page = await api.listSuperpositions({ limit: 100 });
    fillSelect($('na-state'), page.items, (s) => `${s.name || s.id} (dimension ${s.dimension})`, '(no state stored yet)');
  } catch {
    fillSelect($('na-state'), [], null, '(could not list the stored states)');
  }
}

// ------------------------------------------------------------------ browsing

function readFilters() {
  const when = (field) => {
    const v = field.value;
    if (!v) return null;
    const d = new Date(v); // the reader's local time, sent as UTC
    return Number.isNaN(d.getTime()) ? v : d.toISOString();
  };
  return {
    kind: $('filter-kind').value || null,
    tag: $('filter-tag').value.trim() || null,
    name: $('filter-name').value.trim() || null,
    created_after: when($('filter-after')),
    created_before: when($('filter-before')),
    limit: Number($('filter-limit').value),
  };
}

let listed = 0; // the latest load of the list: an earlier answer is dropped

/** Shows page index of the list (0 is the first); fromStart forgets the
 * pages seen and reads the filters again. The list is aria-busy until the
 * latest load has answered. */
async function loadPage(index, fromStart) {
  const browse = $('exp-filter');
  const table = $('exp-list');
  const mine = ++listed;
  clearErrors(browse);
  if (fromStart) {
    pages.cursors = [null];
    pages.filters = readFilters();
  }
  table.setAttribute('aria-busy', 'true');
  try {
    const page = await api.listExperiments({ ...pages.filters, cursor: pages.cursors[index] });
    if (mine !== listed) return;
    pages.index = index;
    pages.cursors[index + 1] = page.next_cursor;
    pages.cursors.length = index + 2;
    const body = $('exp-list').tBodies[0];
    body.replaceChildren(...page.items.map((e) => h('tr', { 'data-id': e.id, class: current && current.id === e.id ? 'current' : null },
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => lab.go(`experiments/${e.id}`) }, e.name)),
      h('td', {}, e.kind),
      h('td', {}, e.tags.map((t) => h('span', { class: 'tag' }, t))),
      h('td', {}, time(e.created_at)))));
    if (page.items.length === 0) body.append(h('tr', {}, h('td', { colspan: 4, class: 'hint' }, index === 0 ? 'No experiment matches.' : 'No more.')));
    $('exp-page').textContent = `Page ${index + 1}`;
    $('exp-prev').disabled = index === 0;
    $('exp-next').disabled = !page.next_cursor;
  } catch (e) {
    if (mine === listed) showProblem(browse, e, { focus: false });
  } finally {
    if (mine === listed) table.removeAttribute('aria-busy');
  }
}

// ------------------------------------------------------------------ one experiment

/** Opens the experiment the hash names (#experiments/<id>). */
export async function openFromHash(id) {
  if (current && current.id === id) return;
  try {
    showDetail(await api.getExperiment(id));
  } catch (e) {
    const detail = $('exp-detail');
    detail.hidden = false;
    $('exp-detail-title').textContent = 'Experiment';
    $('exp-meta').textContent = `Could not open ${id}: ${e.detail || e.message}`;
  }
}

function showDetail(exp) {
  current = exp;
  if (window.location.hash !== `#experiments/${exp.id}`) {
    window.history.replaceState(null, '', `#experiments/${exp.id}`);
  }
  const detail = $('exp-detail');
  detail.hidden = false;
  $('exp-detail-title').textContent = exp.name;
  $('exp-meta').replaceChildren(`${exp.kind} · ${exp.id} · created `, time(exp.created_at), ' · updated ', time(exp.updated_at),
    ...(exp.tags.length ? [' · ', ...exp.tags.map((t) => h('span', { class: 'tag' }, t))] : []));
  $('edit-name').value = exp.name;
  $('edit-tags').value = exp.tags.join(', ');
  $('edit-notes').value = exp.notes ?? '';
  clearErrors($('exp-edit'));
  say($('edit-status'), '');
  $('exp-params').textContent = prettyJson(exp.params);
  showMetrics(exp);
  showCharts(exp);
  const actions = $('exp-actions');
  actions.hidden = EXPERIMENT_ACTIONS.length === 0;
  const box = $('exp-action-output');
  clearErrors(box);
  box.querySelector('.action-result').replaceChildren();
  actions.replaceChildren(...EXPERIMENT_ACTIONS.map((a) => h('button', {
    type: 'button',
    class: 'secondary',
    'data-action': a.name,
    onclick: async () => {
      const exp = current;
      clearErrors(box);
      box.querySelector('.action-result').replaceChildren();
      const out = await a.run(exp, lab, box);
      if (out && out.id && current === exp) showDetail(out);
    },
  }, a.label)));
  for (const tr of $('exp-list').tBodies[0].rows) tr.classList.toggle('current', tr.dataset.id === exp.id);
}

// ------------------------------------------------------------------ rerun

// A value of a rerun's difference: a number as num(), anything else as
// its JSON; absent (the side has no value there) said so.
function differenceValue(d, side) {
  if (!(side in d)) return h('span', { class: 'hint' }, '(none there)');
  const v = d[side];
  return typeof v === 'number' ? num(v) : h('code', {}, JSON.stringify(v));
}

/** Rerun: psinet recomputes the experiment from its stored params and
 * seed; the page shows whether the result is the same byte for byte, or
 * where it first differs (both values), and each stored input's status. */
async function rerun(exp, theLab, box) {
  const out = box.querySelector('.action-result');
  out.setAttribute('aria-busy', 'true');
  try {
    const v = await theLab.api.rerunExperiment(exp.id);
    if (current !== exp) return null; // another experiment opened meanwhile
    const verdict = v.identical ? 'Identical' : v.recomputed ? 'Different' : 'Not recomputed';
    const parts = [
      h('p', { class: `verdict ${v.identical ? 'same' : 'differs'}`, role: 'status' },
        h('strong', {}, verdict), ` — ${v.summary}`),
    ];
    if (v.difference) {
      const d = v.difference;
      parts.push(h('table', { class: 'numbers rerun-difference' },
        h('caption', {}, 'The first difference'),
        h('tbody', {},
          h('tr', {}, h('th', { scope: 'row' }, 'at'), h('td', {}, h('code', { class: 'pointer' }, d.pointer))),
          h('tr', { 'data-side': 'stored' }, h('th', { scope: 'row' }, 'stored'), h('td', {}, differenceValue(d, 'stored'))),
          h('tr', { 'data-side': 'recomputed' }, h('th', { scope: 'row' }, 'recomputed'), h('td', {}, differenceValue(d, 'recomputed'))))));
    }
    if (v.error) parts.push(h('p', { class: 'form-error' }, `${v.error.title || 'Error'}: ${v.error.detail || ''}`));
    if (v.inputs.length) {
      const hash = (x) => (x ? h('code', { title: x }, `${x.slice(0, 12)}…`) : h('span', { class: 'hint' }, 'none'));
      parts.push(h('div', { class: 'table-wrap' }, h('table', { class: 'rerun-inputs' },
        h('caption', {}, 'Stored inputs: SHA-256 when it ran and now'),
        h('thead', {}, h('tr', {}, ...['Input', 'Id', 'Status', 'When it ran', 'Now'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...v.inputs.map((i) => h('tr', { 'data-input': i.pointer },
          h('td', {}, i.type), h('td', {}, i.id), h('td', { class: `status-${i.status}` }, i.status),
          h('td', {}, hash(i.recorded_sha256)), h('td', {}, hash(i.current_sha256))))))));
    }
    out.replaceChildren(...parts);
  } catch (e) {
    if (current === exp) showProblem(box, e);
  } finally {
    out.removeAttribute('aria-busy');
  }
  return null;
}

const METRIC_NAMES = {
  entropy_bits: 'entropy H(p), bits',
  reference_entropy_bits: 'reference entropy H(q), bits',
  kl_divergence_bits: 'KL divergence D(p‖q), bits',
  total_variation: 'total variation ½Σ|p − q|',
  fidelity: 'fidelity (Σ√(pq))²',
  argmax_agrees: 'argmax p = argmax q',
  agreement: 'shots whose outcome is the deterministic argmax',
  activation_probability_correlation: 'correlation of activation and probability',
};

// What a null metric means (openapi.yaml says so too).
const WHY_NULL = {
  kl_divergence_bits: 'infinite: p is not zero where q is',
  activation_probability_correlation: 'undefined: fewer than two neurons, or no spread',
};

function showMetrics(exp) {
  const rows = Object.entries(exp.result.metrics).map(([k, v]) => h('tr', { 'data-metric': k },
    h('th', { scope: 'row' }, METRIC_NAMES[k] || k),
    h('td', {}, typeof v === 'boolean' ? (v ? 'yes' : 'no') : num(v),
      v === null && WHY_NULL[k] ? h('span', { class: 'hint' }, ` (${WHY_NULL[k]})`) : null)));
  $('exp-metrics').tBodies[0].replaceChildren(...rows);
}

// A chart card in the detail: its canvas, then a table of the same numbers.
function chartBlock(id, name) {
  const canvas = h('canvas', { id, 'data-name': name, role: 'img', 'aria-label': name });
  return { block: h('div', {}, h('h4', {}, name), h('div', { class: 'chart' }, canvas)), canvas };
}

function numbersTable(caption, headers, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'numbers' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r[0]), ...r.slice(1).map((x) => h('td', {}, num(x))))))));
}

function showCharts(exp) {
  const box = $('exp-charts');
  box.replaceChildren();
  const r = exp.result;
  if (exp.kind === 'layer_superposition') {
    const labels = r.state.probabilities.map((_, i) => String(i));
    const dist = chartBlock('exp-chart-distribution', 'The state p beside softmax q');
    box.append(dist.block);
    barChart(dist.canvas, {
      labels,
      datasets: [{ label: 'p = |ψ|²', data: r.state.probabilities }, { label: 'q = softmax(z)', data: r.reference_distribution }],
      yMin: 0,
      yTitle: 'probability',
      xTitle: 'outcome',
    });
    box.append(numbersTable('p, q and the output a per outcome', ['outcome', 'p', 'q', 'a'],
      labels.map((l, i) => [l, r.state.probabilities[i], r.reference_distribution[i], r.output[i]])));
    if (r.measurement) {
      const m = r.measurement;
      const freq = labels.map((l) => (m.counts[l] || 0) / m.shots);
      const meas = chartBlock('exp-chart-measurement', `Measured: ${m.shots} shots, seed ${m.seed}`);
      box.append(meas.block);
      barChart(meas.canvas, {
        labels,
        datasets: [{ label: 'measured frequency', data: freq }, { label: 'p = |ψ|²', data: r.state.probabilities }],
        yMin: 0,
        yTitle: 'probability',
        xTitle: 'outcome',
      });
      box.append(numbersTable('Counts per outcome', ['outcome', 'count', 'frequency'],
        labels.map((l, i) => [l, m.counts[l] || 0, freq[i]])));
    }
  } else if (exp.kind === 'collapse_propagation') {
    const labels = r.final.distribution.map((_, i) => String(i));
    const fin = chartBlock('exp-chart-final', `Final outcomes of ${r.shots} shots, seed ${r.seed}, beside the deterministic output`);
    box.append(fin.block);
    barChart(fin.canvas, {
      labels,
      datasets: [{ label: 'f = counts / shots', data: r.final.distribution }, { label: 'q = the deterministic output read as a state', data: r.deterministic.distribution }],
      yMin: 0,
      yTitle: 'probability',
      xTitle: 'outcome (argmax of the final output)',
    });
    box.append(numbersTable('f, q and the deterministic output per outcome', ['outcome', 'f', 'q', 'output'],
      labels.map((l, i) => [l, r.final.distribution[i], r.deterministic.distribution[i], r.deterministic.output[i]])));
    box.append(numbersTable('Each collapsed layer', ['layer', 'mean Born entropy, bits', 'deterministic Born entropy, bits'],
      r.layers.map((c) => [String(c.layer), c.born_entropy_bits, c.deterministic_born_entropy_bits])));
  } else if (exp.kind === 'neuron_activation') {
    const labels = r.neurons.map((_, j) => String(j));
    const nb = chartBlock('exp-chart-neurons', 'Each neuron: activation beside Born probability');
    box.append(nb.block);
    barChart(nb.canvas, {
      labels,
      datasets: [
        { label: 'activation σ(z)', data: r.neurons.map((n) => n.activation) },
        { label: 'probability ⟨ŵ|x̂⟩²', data: r.neurons.map((n) => n.probability) },
      ],
      xTitle: 'neuron',
    });
    box.append(numbersTable('Each neuron', ['neuron', 'z', 'σ(z)', 'overlap', 'probability'],
      r.neurons.map((n, j) => [String(j), n.pre_activation, n.activation, n.overlap, n.probability])));
  }
}

async function saveEdit(event) {
  event.preventDefault();
  const form = $('exp-edit');
  clearErrors(form);
  say($('edit-status'), '');
  if (!current) return;
  const notes = $('edit-notes').value;
  try {
    const exp = await api.updateExperiment(current.id, {
      name: $('edit-name').value.trim(),
      tags: readTags($('edit-tags')),
      notes: notes.trim() === '' ? null : notes,
    });
    showDetail(exp);
    say($('edit-status'), 'Saved.');
    await loadPage(pages.index, false);
  } catch (e) {
    showProblem(form, e);
  }
}

// ------------------------------------------------------------------ export

/** Export: every experiment the filters select (not only this page), as
 * psinet streams it, saved as a file; the status line says how many. */
async function exportExperiments(e) {
  const format = e.currentTarget.dataset.format;
  const browse = $('exp-filter');
  const status = $('exp-export-status');
  clearErrors(browse);
  say(status, `Exporting ${format.toUpperCase()}…`);
  try {
    const text = await api.exportExperiments(readFilters(), format);
    const lines = text.split('\n').filter((l) => l !== '').length;
    const count = format === 'ndjson' ? lines : null;
    const name = `experiments.${format}`;
    const url = URL.createObjectURL(new Blob([text], {
      type: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
    }));
    const link = h('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
    say(status, count === null
      ? `Saved ${name} (${text.length} characters).`
      : `Saved ${name}: ${count} experiment${count === 1 ? '' : 's'}.`);
  } catch (err) {
    say(status, '');
    showProblem(browse, err);
  }
}

// ------------------------------------------------------------------ wiring

export function init(theLab) {
  lab = theLab;
  api = lab.api;
  setUpActivations($('view-experiments'));
  $('exp-kind').addEventListener('change', switchKind);
  for (const r of document.querySelectorAll('input[name="ls-source"], input[name="na-source"]')) {
    r.addEventListener('change', switchSources);
  }
  $('exp-form').addEventListener('submit', runExperiment);
  $('exp-filter').addEventListener('submit', (e) => { e.preventDefault(); loadPage(0, true); });
  $('exp-filter').addEventListener('reset', () => setTimeout(() => loadPage(0, true)));
  $('exp-prev').addEventListener('click', () => loadPage(pages.index - 1, false));
  $('exp-next').addEventListener('click', () => loadPage(pages.index + 1, false));
  for (const b of [$('exp-export-csv'), $('exp-export-ndjson')]) b.addEventListener('click', exportExperiments);
  $('exp-edit').addEventListener('submit', saveEdit);
  lab.on('networks', (networks) => fillSelect($('ls-network'), networks, describe, '(no network stored yet)'));
  lab.on('states', loadStates);
  lab.on('key', () => { loadStates(); loadPage(0, true); });
  switchKind();
  switchSources();
  loadStates();
  loadPage(0, true);
}
