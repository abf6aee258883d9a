// ui.js - what the lab's views share: building elements, showing numbers,
// reading arrays from text fields, showing psinet's errors next to the
// fields they name, and charts (Chart.js, vendored in web/vendor/).

/** An element: h('p', {class: 'x', onclick: f}, 'text', child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// ------------------------------------------------------------------ numbers

/** Short text for a number: six significant digits, exponent form for the
 * very small and very large, integers whole. */
export function shortNumber(x) {
  if (x === null || x === undefined) return '—';
  if (typeof x !== 'number') return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return x.toExponential(5).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(6)));
}

/**
 * A number as the page shows it: the short text, with the full value (the
 * shortest text that reads back as the same double, as psinet writes it)
 * in the element's value, its tooltip, and what a copy of it puts on the
 * clipboard (see installCopy).
 */
export function num(x) {
  if (x === null || x === undefined) return h('span', { class: 'num none', 'aria-label': 'none' }, '—');
  const full = String(x);
  const short = shortNumber(x);
  return h('data', { class: 'num', value: full, title: short === full ? null : full }, short);
}

/** A complex amplitude [re, im] as "re + im i" (each part a num()). */
export function complexNum([re, im]) {
  if (im === 0) return h('span', { class: 'complex' }, num(re));
  return h('span', { class: 'complex' }, num(re), im < 0 ? ' − ' : ' + ', num(Math.abs(im)), 'i');
}

/** Makes a copy of selected numbers carry their full values: in the
 * copied text each num() gives its value, cells are separated by tabs and
 * rows by new lines. */
export function installCopy() {
  document.addEventListener('copy', (event) => {
    const sel = document.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const frag = sel.getRangeAt(0).cloneContents();
    if (!frag.querySelector('data.num')) {
      const node = sel.anchorNode && (sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement);
      const one = node && node.closest('data.num');
      if (!one) return;
      event.clipboardData.setData('text/plain', one.value);
      event.preventDefault();
      return;
    }
    for (const d of frag.querySelectorAll('data.num')) d.textContent = d.value;
    for (const c of frag.querySelectorAll('td, th')) c.append('\t');
    for (const r of frag.querySelectorAll('tr')) r.append('\n');
    event.clipboardData.setData('text/plain', frag.textContent.replace(/\t\n/g, '\n').trim());
    event.preventDefault();
  });
}

// ------------------------------------------------------------------ reading fields

/** A field whose text could not be read, with where and why. */
export class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

// A token of a list of numbers: a number when it is one, else the text as
// it is, so that psinet's answer says what is wrong with it and where.
function token(t) {
  const x = Number(t);
  return t !== '' && Number.isFinite(x) ? x : t;
}

/** The vector in a field: a JSON array, or numbers separated by spaces,
 * commas or semicolons. Empty: null. */
export function readVector(field) {
  const text = field.value.trim();
  if (text === '') return null;
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new FieldError(field, `not a JSON array: ${e.message}`);
    }
  }
  return text.split(/[\s,;]+/).filter((t) => t !== '').map(token);
}

/** The matrix in a field: JSON rows ([[1, 2], [3, 4]]), or one row per
 * line of numbers separated by spaces or commas. Empty: null. */
export function readMatrix(field) {
  const text = field.value.trim();
  if (text === '') return null;
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new FieldError(field, `not JSON rows: ${e.message}`);
    }
  }
  return text.split(/\n+/).map((line) => line.trim()).filter((l) => l !== '')
    .map((line) => line.split(/[\s,;]+/).filter((t) => t !== '').map(token));
}

/** A whole number from a field, or null when it is empty (a text that is
 * not a number is passed on as text for psinet to refuse with a pointer). */
export function readInteger(field) {
  const text = field.value.trim();
  if (text === '') return null;
  return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : token(text);
}

/** A matrix as text, one row per line. */
export function matrixText(rows) {
  return rows.map((r) => r.join(', ')).join('\n');
}

// ------------------------------------------------------------------ errors

/** Clears what showProblem showed in container. */
export function clearErrors(container) {
  for (const el of container.querySelectorAll('.field-error')) el.remove();
  for (const el of container.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-describedby');
  }
  const box = container.querySelector(':scope > .form-error');
  if (box) box.replaceChildren();
}

let errorIds = 0;

// The field of container that a JSON Pointer names: the one whose
// data-pointer is the pointer, else the nearest enclosing one (a field for
// /weights takes /weights/1), else the first within it (/amplitudes/2
// goes to the real part, /amplitudes/2/0).
function fieldFor(container, pointer, rewrite) {
  let best = null;
  let bestLen = -1;
  let within = null;
  for (const el of container.querySelectorAll('[data-pointer]')) {
    if (el.closest('[hidden]')) continue;
    const p = rewrite(el.dataset.pointer);
    if (p === pointer) return el;
    if (pointer.startsWith(`${p}/`) && p.length > bestLen) {
      best = el;
      bestLen = p.length;
    } else if (!within && p.startsWith(`${pointer}/`)) {
      within = el;
    }
  }
  return best || within;
}

/** Once a field in error is edited, its error goes: the reader is
 * answering it. */
export function installErrorClearing() {
  document.addEventListener('input', (event) => {
    const field = event.target;
    if (!(field instanceof Element) || field.getAttribute('aria-invalid') !== 'true') return;
    for (const id of (field.getAttribute('aria-describedby') || '').split(' ')) {
      const note = id && document.getElementById(id);
      if (note && note.classList.contains('field-error')) note.remove();
    }
    field.removeAttribute('aria-invalid');
    field.removeAttribute('aria-describedby');
  });
}

/** Puts message next to field (marked invalid, described by it). */
export function showFieldError(field, message) {
  const id = `field-error-${++errorIds}`;
  const p = h('p', { class: 'field-error', id }, message);
  field.setAttribute('aria-invalid', 'true');
  const described = field.getAttribute('aria-describedby');
  field.setAttribute('aria-describedby', described ? `${described} ${id}` : id);
  field.after(p);
  return p;
}

/**
 * Shows an error in container: each {pointer, message} of a psinet
 * problem next to the field its pointer names (the data-pointer of the
 * field; map rewrites those, for a form whose fields sit under another
 * part of the request), the rest in the container's own .form-error box.
 * Anything else is shown there too. With focus (an error of what the
 * reader just did), the first field in error takes the focus, else the
 * box; a 401 leaves it to the API key's field.
 */
export function showProblem(container, error, { map = (p) => p, focus = true } = {}) {
  clearErrors(container);
  const box = container.querySelector(':scope > .form-error');
  const rest = [];
  if (error instanceof FieldError) {
    showFieldError(error.field, error.message);
  } else if (error && Array.isArray(error.errors) && error.errors.length) {
    for (const item of error.errors) {
      const field = item.pointer ? fieldFor(container, item.pointer, map) : null;
      if (field) {
        const own = map(field.dataset.pointer);
        const text = own === item.pointer ? item.message : `${item.pointer}: ${item.message}`;
        showFieldError(field, text);
      } else {
        rest.push(item.pointer ? `${item.pointer}: ${item.message}` : item.message);
      }
    }
  } else {
    rest.push(error && error.status ? `${error.status} ${error.title || ''}: ${error.detail || error.message}`
      : `Could not reach psinet: ${error && error.message}`);
  }
  if (box && rest.length) {
    box.replaceChildren(...rest.map((r) => h('span', {}, r)));
  }
  if (!focus || (error && error.status === 401)) return;
  const invalid = container.querySelector('[aria-invalid="true"]');
  if (invalid) invalid.focus();
  else if (box) box.focus();
}

// ------------------------------------------------------------------ charts

const COLORS = ['#2563eb', '#d97706', '#059669', '#9333ea', '#dc2626'];

/**
 * Draws (or redraws) a bar chart on canvas (with points: a point per value
 * instead, which shows zeros too): labels along x, one series per dataset
 * ({label, data, color?}); tooltips give full values. Returns the Chart,
 * which Chart.getChart(canvas) also finds.
 */
export function barChart(canvas, { labels, datasets, yTitle, yMin, yMax, xTitle, points = false, piTicks = false }) {
  const old = globalThis.Chart.getChart(canvas);
  if (old) old.destroy();
  const chart = new globalThis.Chart(canvas, {
    type: points ? 'line' : 'bar',
    data: {
      labels,
      datasets: datasets.map((d, i) => ({
        label: d.label,
        data: d.data,
        backgroundColor: d.color || COLORS[i % COLORS.length],
        borderColor: d.color || COLORS[i % COLORS.length],
        borderWidth: 0,
        showLine: !points,
        pointRadius: points ? 6 : 0,
        pointHoverRadius: points ? 8 : 0,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: datasets.length > 1 },
        tooltip: {
          callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.raw === null ? '—' : String(ctx.raw)}` },
        },
      },
      scales: {
        x: { offset: true, title: { display: Boolean(xTitle), text: xTitle } },
        y: {
          min: yMin,
          max: yMax,
          title: { display: Boolean(yTitle), text: yTitle },
          ticks: piTicks ? { stepSize: Math.PI / 2, callback: piLabel } : {},
        },
      },
    },
  });
  canvas.setAttribute('aria-label', `${canvas.dataset.name || 'Chart'}: ${datasets.map((d) => d.label).join(', ')} for ${labels.length} ${labels.length === 1 ? 'bar' : 'bars'}; the numbers are in the table beside it`);
  return chart;
}

// An angle that is a multiple of π/2, as "−π/2", "π" and so on.
function piLabel(value) {
  const halves = Math.round((value / Math.PI) * 2);
  if (Math.abs(halves * (Math.PI / 2) - value) > 1e-9) return shortNumber(value);
  const sign = halves < 0 ? '−' : '';
  const n = Math.abs(halves);
  if (n === 0) return '0';
  if (n % 2 === 0) return `${sign}${n / 2 === 1 ? '' : n / 2}π`;
  return `${sign}${n === 1 ? '' : n}π/2`;
}

/** JSON text with two-space indents, but arrays of numbers (or of short
 * arrays of them) on one line: parameters that read like the request. */
export function prettyJson(value, indent = '') {
  const flat = (v) => Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null ||
    (Array.isArray(x) && x.every((y) => typeof y !== 'object' || y === null)));
  if (Array.isArray(value)) {
    const line = (v) => (Array.isArray(v) ? `[${v.map(line).join(', ')}]` : JSON.stringify(v));
    if (flat(value)) return line(value);
    const inner = `${indent}  `;
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const inner = `${indent}  `;
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/**
 * A heat map as a table: one row per rows[i] ({label, values}), a cell per
 * value coloured by sign and size (blue below zero, red above, against the
 * largest magnitude of all), its value inside, in full on hover.
 */
export function heatmap(container, rows, { caption } = {}) {
  const max = Math.max(1e-300, ...rows.flatMap((r) => r.values.map((v) => Math.abs(v))));
  const widest = Math.max(...rows.map((r) => r.values.length));
  const table = h('table', { class: `heatmap${widest > 16 ? ' dense' : ''}` },
    h('caption', {}, caption || ''),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Layer'),
      h('th', { scope: 'col', colspan: widest }, 'Neurons (left to right)'))));
  const body = h('tbody');
  for (const row of rows) {
    const tr = h('tr', {}, h('th', { scope: 'row' }, row.label));
    for (const v of row.values) {
      const td = h('td', {}, num(v));
      const t = Math.min(1, Math.abs(v) / max);
      const [r, g, b] = v >= 0 ? [220, 38, 38] : [37, 99, 235];
      td.style.backgroundColor = `rgba(${r}, ${g}, ${b}, ${t.toFixed(3)})`;
      if (t > 0.55) td.classList.add('strong');
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(body);
  container.replaceChildren(table, h('p', { class: 'legend' },
    h('span', { class: 'swatch neg' }), ' below zero ', h('span', { class: 'swatch pos' }), ' above zero; the strongest colour is ',
    num(max), ' in magnitude.'));
  return table;
}

/** Sets a status line (a live region) to text. */
export function say(el, text) {
  el.textContent = text;
}

/** The labels psinet gives a state of dimension n: bit strings when n is a
 * power of two, else 0, 1, ... (README, "Store a superposition"). */
export function defaultLabels(n) {
  const bits = Math.log2(n);
  if (n >= 1 && Number.isInteger(bits)) {
    return Array.from({ length: n }, (_, i) => (bits === 0 ? '0' : i.toString(2).padStart(bits, '0')));
  }
  return Array.from({ length: n }, (_, i) => String(i));
}

/** A date-time as the reader's local time, with the stored text in full
 * on hover. */
export function time(text) {
  const d = new Date(text);
  return h('time', { datetime: text, title: text }, Number.isNaN(d.getTime()) ? text : d.toLocaleString());
}
