// operations.js - the quantum operations on the open stored state, in the
// State view (state.js shows them under "Operations"): apply a list of
// gates, collapse it with a seed, and follow its lineage back through the
// states it was made from.
//
// Qubit q is bit q of the basis index, so qubit 0 is the rightmost
// character of a label; a gate's qubits are its controls first, then its
// targets (README, "Quantum operations").
import {
  h, num, complexNum, showProblem, clearErrors, readVector, readMatrix, FieldError,
  defaultLabels, time, say,
} from './ui.js';

// ------------------------------------------------------------------ the gates

// Every gate psinet knows: the roles of its qubits (controls first) and the
// names of its angles (radians), grouped as the picker shows them.
const GATE_GROUPS = [
  ['One qubit', {
    i: ['identity'], x: ['Pauli X'], y: ['Pauli Y'], z: ['Pauli Z'], h: ['Hadamard'],
    s: ['S = diag(1, i)'], sdg: ['S†'], t: ['T = diag(1, e^iπ/4)'], tdg: ['T†'], sx: ['√X'],
  }],
  ['One qubit, with angles', {
    rx: ['X rotation', ['θ']], ry: ['Y rotation', ['θ']], rz: ['Z rotation', ['θ']],
    p: ['phase diag(1, e^iφ)', ['φ']], u: ['general U(θ, φ, λ)', ['θ', 'φ', 'λ']],
  }],
  ['Two qubits', {
    cx: ['controlled X (CNOT)', [], ['control', 'target']],
    cy: ['controlled Y', [], ['control', 'target']],
    cz: ['controlled Z', [], ['control', 'target']],
    ch: ['controlled H', [], ['control', 'target']],
    cp: ['controlled phase', ['φ'], ['control', 'target']],
    crx: ['controlled RX', ['θ'], ['control', 'target']],
    cry: ['controlled RY', ['θ'], ['control', 'target']],
    crz: ['controlled RZ', ['θ'], ['control', 'target']],
    swap: ['swap', [], ['qubit', 'qubit']],
  }],
  ['Three qubits', {
    ccx: ['Toffoli', [], ['control', 'control', 'target']],
    cswap: ['Fredkin', [], ['control', 'target', 'target']],
  }],
  ['Any qubits', { unitary: ['a unitary matrix'] }],
];

/** gate name -> {title, angles: [names], roles: [names]} (roles of a
 * one-qubit gate: ['qubit']; a unitary's are free: null). */
export const GATES = Object.fromEntries(GATE_GROUPS.flatMap(([, gates]) => Object.entries(gates)
  .map(([name, [title, angles = [], roles = ['qubit']]]) =>
    [name, { title, angles, roles: name === 'unitary' ? null : roles }])));

/**
 * An angle from its text: a number, or a multiple or fraction of π
 * ("pi/2", "-π/4", "3pi/4", "2*pi", "0.5π"); anything else is passed on
 * as the text, for psinet to refuse at its pointer.
 */
export function readAngle(text) {
  const t = text.trim();
  if (t === '') return t;
  const x = Number(t);
  if (Number.isFinite(x)) return x;
  const m = /^([+-]?)(\d*\.?\d*)\s*\*?\s*(?:pi|π)\s*(?:\/\s*(\d*\.?\d+))?$/i.exec(t);
  if (!m) return t;
  const k = m[2] === '' ? 1 : Number(m[2]);
  const d = m[3] === undefined ? 1 : Number(m[3]);
  if (!Number.isFinite(k) || !Number.isFinite(d) || d === 0) return t;
  return (m[1] === '-' ? -1 : 1) * ((k * Math.PI) / d);
}

/** One gate of an operation record ({gate, qubits, params?, matrix?}) as a
 * line of text and numbers: "h on 0", "rz(0.5) on 1", "cx on 0, 1". */
export function describeGate(op) {
  const parts = [h('code', {}, op.gate)];
  if (op.params && op.params.length) {
    parts.push('(');
    op.params.forEach((p, i) => { if (i) parts.push(', '); parts.push(num(p)); });
    parts.push(')');
  }
  if (op.gate === 'unitary' && op.matrix) parts.push(` ${op.matrix.length}×${op.matrix.length}`);
  parts.push(` on ${op.qubits.join(', ')}`);
  return h('span', { class: 'gate' }, ...parts);
}

/** What made a state (its operation, as psinet records it), in words. */
export function describeOperation(op) {
  if (!op) return h('span', {}, 'sent as it is');
  if (op.op === 'apply') {
    const out = h('span', {}, 'gates ');
    op.operations.forEach((g, i) => { if (i) out.append(' · '); out.append(describeGate(g)); });
    return out;
  }
  if (op.op === 'collapse') {
    return h('span', {}, 'collapse of ', op.qubits ? `qubits ${op.qubits.join(', ')}` : 'every amplitude',
      ' with seed ', num(op.seed), ': outcome ', h('code', {}, op.outcome));
  }
  if (op.op === 'tensor') {
    return h('span', {}, 'tensor product ', op.a || 'a state sent inline', ' ⊗ ', op.b || 'a state sent inline');
  }
  return h('span', {}, op.op);
}

let uid = 0;
const nextId = (what) => `${what}-${++uid}`;

/** A labelled field in a div: the label, then the control. */
function field(text, control, hint) {
  control.id = control.id || nextId('op-field');
  return h('div', { class: 'field' }, h('label', { for: control.id }, text, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null), control);
}

// The qubits of the state open, for the pickers; 0 when its dimension is
// not a power of two.
let qubitCount = 0;

function qubitOptions(select, keep) {
  const n = Math.max(qubitCount, 1);
  select.replaceChildren(...Array.from({ length: n }, (_, q) => h('option', { value: q }, String(q))));
  if (keep !== undefined && keep !== null && keep < n) select.value = String(keep);
}

/** A row of the gate list: the gate, its qubits by role, its angles (or a
 * unitary's qubits and matrix), and buttons to move or remove it. */
function gateRow(list, gate = 'h', qubits = null) {
  const li = h('li', { class: 'gate-row' });
  const picker = h('select', { class: 'gate-name' },
    ...GATE_GROUPS.map(([group, gates]) => h('optgroup', { label: group },
      ...Object.entries(gates).map(([name, [title]]) => h('option', { value: name }, `${name}: ${title}`)))));
  picker.value = gate;
  const parts = h('div', { class: 'gate-parts' });
  li.append(field('Gate', picker), parts,
    h('div', { class: 'gate-buttons' },
      h('button', { type: 'button', class: 'icon move-up', onclick: () => move(li, -1) }, '↑'),
      h('button', { type: 'button', class: 'icon move-down', onclick: () => move(li, 1) }, '↓'),
      h('button', { type: 'button', class: 'icon remove', onclick: () => remove(li) }, '✕')));
  // Draws the row's fields for its gate, keeping what it had: the qubits
  // picked (any missing, the lowest not yet used), the angles, the matrix.
  const build = (keepQubits) => {
    const g = GATES[picker.value];
    const angles = [...parts.querySelectorAll('.gate-angle')].map((a) => a.value);
    const oldMatrix = parts.querySelector('.gate-matrix');
    const matrixText = oldMatrix ? oldMatrix.value : '';
    parts.replaceChildren();
    if (!g.roles) {
      parts.append(
        field('Qubits', h('input', { class: 'gate-uqubits', autocomplete: 'off', spellcheck: 'false', value: (keepQubits && keepQubits.length ? keepQubits : [0]).join(', ') }),
          '(bit j of the matrix index is the j-th listed)'),
        field('Matrix', h('textarea', { class: 'gate-matrix', rows: 2, spellcheck: 'false', placeholder: '0 1\n1 0' }),
          '(2ᵏ rows: one per line, or JSON rows with [re, im] for complex entries)'));
      parts.querySelector('.gate-matrix').value = matrixText;
    } else {
      const used = [];
      g.roles.forEach((role, j) => {
        let q = keepQubits ? keepQubits[j] : undefined;
        if (!(Number.isInteger(q) && q >= 0 && q < Math.max(qubitCount, 1)) || used.includes(q)) {
          q = 0;
          while (used.includes(q) && q < qubitCount - 1) q++;
        }
        used.push(q);
        const s = h('select', { class: 'gate-qubit', 'data-role': role });
        qubitOptions(s, q);
        parts.append(field(role === 'qubit' && g.roles.length === 1 ? 'Qubit' : `${role[0].toUpperCase()}${role.slice(1)}`, s));
      });
      g.angles.forEach((angle, j) => {
        parts.append(field(`${angle}`, h('input', { class: 'gate-angle', autocomplete: 'off', spellcheck: 'false', inputmode: 'decimal', placeholder: 'pi/2', value: angles[j] ?? '' }),
          '(radians)'));
      });
    }
    renumber(list);
  };
  picker.addEventListener('change', () => build(currentQubits(li)));
  li.rebuild = build;
  list.append(li);
  build(qubits);
  return li;
}

// The qubits a row has picked (numbers), to keep them across a change of gate.
function currentQubits(li) {
  const selects = [...li.querySelectorAll('.gate-qubit')];
  if (selects.length) return selects.map((s) => Number(s.value));
  const text = li.querySelector('.gate-uqubits');
  return text ? text.value.split(/[\s,;]+/).filter(Boolean).map(Number).filter(Number.isInteger) : null;
}

function move(li, by) {
  const list = li.parentElement;
  const rows = [...list.children];
  const i = rows.indexOf(li);
  const j = i + by;
  if (j < 0 || j >= rows.length) return;
  if (by < 0) list.insertBefore(li, rows[j]);
  else list.insertBefore(rows[j], li);
  renumber(list);
  li.querySelector(by < 0 ? '.move-up' : '.move-down').focus();
}

function remove(li) {
  const list = li.parentElement;
  const rows = [...list.children];
  const i = rows.indexOf(li);
  li.remove();
  renumber(list);
  const next = list.children[Math.min(i, list.children.length - 1)];
  if (next) next.querySelector('.gate-name').focus();
  else list.closest('form').querySelector('.gate-add').focus();
}

// Sets each row's pointers (/operations/i/...) and names after its place.
function renumber(list) {
  [...list.children].forEach((li, i) => {
    const n = i + 1;
    li.dataset.index = String(i);
    const picker = li.querySelector('.gate-name');
    picker.dataset.pointer = `/operations/${i}/gate`;
    picker.setAttribute('aria-label', `Gate ${n}`);
    const selects = [...li.querySelectorAll('.gate-qubit')];
    selects.forEach((s, j) => {
      s.dataset.pointer = `/operations/${i}/qubits/${j}`;
      // "Gate 2, control"; "Gate 1, target 2" where a role comes twice.
      const same = selects.filter((o) => o.dataset.role === s.dataset.role);
      const nth = same.length > 1 ? ` ${same.indexOf(s) + 1}` : '';
      s.setAttribute('aria-label', `Gate ${n}, ${s.dataset.role}${nth}`);
    });
    li.querySelectorAll('.gate-angle').forEach((a, j) => {
      a.dataset.pointer = `/operations/${i}/params/${j}`;
      a.setAttribute('aria-label', `Gate ${n}, angle ${GATES[picker.value].angles[j]} in radians`);
    });
    const uq = li.querySelector('.gate-uqubits');
    if (uq) { uq.dataset.pointer = `/operations/${i}/qubits`; uq.setAttribute('aria-label', `Gate ${n}, qubits of the matrix`); }
    const mx = li.querySelector('.gate-matrix');
    if (mx) { mx.dataset.pointer = `/operations/${i}/matrix`; mx.setAttribute('aria-label', `Gate ${n}, matrix`); }
    li.querySelector('.move-up').setAttribute('aria-label', `Move gate ${n} up`);
    li.querySelector('.move-down').setAttribute('aria-label', `Move gate ${n} down`);
    li.querySelector('.remove').setAttribute('aria-label', `Remove gate ${n}`);
  });
}

/** The list's operations as psinet takes them. */
function readOperations(list) {
  return [...list.children].map((li) => {
    const gate = li.querySelector('.gate-name').value;
    if (gate === 'unitary') {
      const qubits = readVector(li.querySelector('.gate-uqubits'));
      const matrixField = li.querySelector('.gate-matrix');
      const matrix = readMatrix(matrixField);
      if (matrix === null) throw new FieldError(matrixField, 'enter the matrix: 2ᵏ rows of 2ᵏ entries for k qubits');
      return { gate, qubits: qubits || [], matrix };
    }
    const op = { gate, qubits: [...li.querySelectorAll('.gate-qubit')].map((s) => Number(s.value)) };
    const angles = [...li.querySelectorAll('.gate-angle')];
    if (angles.length) {
      op.params = angles.map((a) => {
        if (a.value.trim() === '') throw new FieldError(a, 'enter an angle in radians (pi/2 works too)');
        return readAngle(a.value);
      });
    }
    return op;
  });
}

/** Gates: a list to apply to the open state, in order. */
const gates = {
  title: 'Apply gates',
  form: null,
  render(container, state, lab) {
    if (!this.form) this.form = this.build(lab);
    const form = this.form;
    form.state = state;
    clearErrors(form);
    say(form.querySelector('.status'), '');
    const n = state.amplitudes.length;
    const bits = Math.log2(n);
    qubitCount = Number.isInteger(bits) ? bits : 0;
    const list = form.querySelector('.gate-list');
    for (const li of list.children) li.rebuild(currentQubits(li));
    const fits = qubitCount > 0;
    form.querySelector('.gate-target').replaceChildren(fits
      ? `To ${state.name || state.id}: ${qubitCount} ${qubitCount === 1 ? 'qubit' : 'qubits'}, numbered 0 (the rightmost bit of a label) to ${qubitCount - 1}.`
      : `Gates act on qubits: a state of 2ⁿ amplitudes. This one has ${n}.`);
    for (const el of form.querySelectorAll('button, select, input, textarea')) el.disabled = !fits;
    container.append(form);
  },
  build(lab) {
    const list = h('ol', { class: 'gate-list', 'data-pointer': '/operations', tabindex: '-1', 'aria-label': 'Gates, applied in order' });
    const name = h('input', { class: 'gate-result-name', 'data-pointer': '/name', autocomplete: 'off' });
    const keep = h('input', { type: 'checkbox', class: 'gate-store', checked: true });
    keep.id = nextId('gate-store');
    const form = h('form', { class: 'gates-form', novalidate: true },
      h('p', { class: 'hint gate-target' }),
      list,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary gate-add', onclick: () => { gateRow(list, 'h', null).querySelector('.gate-name').focus(); } }, 'Add a gate'),
        h('button', { type: 'button', class: 'secondary gate-bell', onclick: () => {
          list.replaceChildren();
          gateRow(list, 'h', [0]);
          gateRow(list, 'cx', [0, 1]);
        } }, 'H then CX (a Bell pair)'),
        h('button', { type: 'button', class: 'secondary gate-clear', onclick: () => { list.replaceChildren(); form.querySelector('.gate-add').focus(); } }, 'Clear the list')),
      h('div', { class: 'fields' },
        field('Name of the result', name, '(optional)'),
        h('div', { class: 'field check' }, h('label', { class: 'inline', for: keep.id }, keep, 'Store the result, with this state as its parent'))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'gate-apply' }, 'Apply')),
      h('p', { class: 'form-error', role: 'alert', tabindex: '-1' }),
      h('p', { class: 'status', role: 'status' }));
    gateRow(list, 'h', [0]);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const state = form.state;
      clearErrors(form);
      say(form.querySelector('.status'), '');
      try {
        if (list.children.length === 0) throw new FieldError(list, 'add a gate to apply');
        const operations = readOperations(list);
        const options = { store: keep.checked };
        if (name.value.trim() !== '') options.name = name.value.trim();
        const res = await lab.api.applyOperations({ id: state.id }, operations, options);
        const what = `${operations.length} ${operations.length === 1 ? 'gate' : 'gates'}`;
        if (res.id) {
          lab.emit('state', res);
          say(form.querySelector('.status'), `Applied ${what} to ${state.id}: stored as ${res.id}.`);
        } else {
          lab.emit('show', { state: res, which: `${state.name || state.id} after ${what}, not stored` });
          say(form.querySelector('.status'), `Applied ${what} to ${state.id}: shown above, not stored.`);
        }
      } catch (e) {
        showProblem(form, e);
      }
    });
    return form;
  },
};

// ------------------------------------------------------------------ collapse

// The answer of the last collapse, and the state it was asked of.
let lastCollapse = null;

/** Collapse: measure once (every amplitude, or some qubits) with a seed,
 * and keep the state after it. */
const collapse = {
  title: 'Collapse',
  form: null,
  render(container, state, lab) {
    if (!this.form) this.form = this.build(lab);
    const form = this.form;
    form.state = state;
    clearErrors(form);
    container.append(form, this.result);
    // The outcome stays in view beside the state it made (or, not stored,
    // beside the state it was asked of).
    const c = lastCollapse;
    const show = c && (c.answer.state.id ? c.answer.state.id === state.id : c.of === state.id);
    this.result.hidden = !show;
  },
  build(lab) {
    const qubits = h('input', { class: 'collapse-qubits', 'data-pointer': '/qubits', autocomplete: 'off', spellcheck: 'false', placeholder: 'every amplitude' });
    const seed = h('input', { class: 'collapse-seed', 'data-pointer': '/seed', autocomplete: 'off', inputmode: 'numeric' });
    const name = h('input', { class: 'collapse-name', 'data-pointer': '/name', autocomplete: 'off' });
    const keep = h('input', { type: 'checkbox', class: 'collapse-store', checked: true });
    keep.id = nextId('collapse-store');
    const form = h('form', { class: 'collapse-form', novalidate: true },
      h('p', { class: 'hint' }, 'Measures once and keeps the state after it: projected onto the outcome and normalized.'),
      h('div', { class: 'fields' },
        field('Qubits', qubits, '(empty: every amplitude; the first listed is the outcome\'s rightmost bit)'),
        field('Seed', seed, '(empty: psinet draws one)'),
        field('Name of the state after', name, '(optional)'),
        h('div', { class: 'field check' }, h('label', { class: 'inline', for: keep.id }, keep, 'Store it, with this state as its parent'))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'collapse-run' }, 'Collapse')),
      h('p', { class: 'form-error', role: 'alert', tabindex: '-1' }));
    this.result = h('div', { class: 'collapse-result', hidden: true });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const state = form.state;
      clearErrors(form);
      const body = { store: keep.checked };
      const q = readVector(qubits);
      if (q !== null) body.qubits = q;
      const s = seed.value.trim();
      if (s !== '') body.seed = /^-?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : s;
      if (name.value.trim() !== '') body.name = name.value.trim();
      try {
        const answer = await lab.api.collapse(state.id, body);
        lastCollapse = { answer, of: state.id };
        this.showResult(answer, state);
        if (answer.state.id) lab.emit('state', answer.state);
        else {
          this.result.hidden = false;
          lab.emit('show', { state: answer.state, which: `${state.name || state.id} after the collapse, not stored` });
        }
        seed.placeholder = `last: ${answer.seed}`;
      } catch (e) {
        showProblem(form, e);
      }
    });
    return form;
  },
  showResult(answer, of) {
    const st = answer.state;
    const labels = st.labels || defaultLabels(st.amplitudes.length);
    // The state after: its amplitudes that are not zero (all the others are).
    const rows = [];
    st.amplitudes.forEach((a, i) => {
      if (a[0] !== 0 || a[1] !== 0) rows.push(h('tr', {}, h('th', { scope: 'row' }, labels[i]), h('td', {}, complexNum(a)), h('td', {}, num(st.probabilities[i]))));
    });
    const shown = rows.slice(0, 64);
    this.result.replaceChildren(
      h('p', { class: 'collapse-outcome' }, 'Outcome ', h('strong', { class: 'outcome' }, answer.outcome),
        answer.qubits ? ` over qubits ${answer.qubits.join(', ')}` : ' (every amplitude)',
        ', which had probability ', h('span', { class: 'probability' }, num(answer.probability)),
        '; seed ', h('span', { class: 'seed' }, num(answer.seed)), '.'),
      h('p', { class: 'hint' }, st.id ? `The state after it is stored as ${st.id} (its parent: ${of.id}), and open above.` : 'The state after it (shown above, not stored):'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'numbers collapse-state' },
        h('caption', {}, rows.length > shown.length ? `The state after: the first ${shown.length} of its ${rows.length} amplitudes that are not zero` : 'The state after: its amplitudes that are not zero'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Label'), h('th', { scope: 'col' }, 'Amplitude'), h('th', { scope: 'col' }, 'Probability'))),
        h('tbody', {}, ...shown))));
    this.result.hidden = false;
  },
};

// ------------------------------------------------------------------ lineage

/** Lineage: the states the open one was made from, back to the first,
 * each with what made it; any of them opens with a click. */
const lineage = {
  title: 'Lineage',
  box: null,
  loads: 0, // the latest load: an earlier answer is dropped
  render(container, state, lab) {
    if (!this.box) {
      this.box = h('div', { class: 'lineage' },
        h('p', { class: 'hint' }, 'This state first, then the state it was made from, and so on back to the first.'),
        h('ol', { class: 'lineage-list', tabindex: '-1', 'aria-label': 'Lineage, from this state back to the first' }),
        h('p', { class: 'lineage-end hint' }),
        h('p', { class: 'form-error', role: 'alert', tabindex: '-1' }));
    }
    container.append(this.box);
    this.load(state, lab);
  },
  async load(state, lab) {
    const box = this.box;
    const list = box.querySelector('.lineage-list');
    const end = box.querySelector('.lineage-end');
    const mine = ++this.loads;
    clearErrors(box);
    list.setAttribute('aria-busy', 'true');
    try {
      const walk = state.parent ? await lab.api.lineage(state.id)
        : { items: [{ ...state }], complete: true, missing: null };
      if (mine !== this.loads) return;
      list.replaceChildren(...walk.items.map((s, i) => h('li', { 'data-id': s.id, class: i === 0 ? 'current' : null },
        h('div', { class: 'lineage-head' },
          h('strong', {}, s.name || s.id), s.name ? h('span', { class: 'hint' }, ` ${s.id}`) : null,
          i === 0 ? h('span', { class: 'hint' }, ' (open)')
            : h('button', { type: 'button', class: 'secondary lineage-open', 'aria-label': `Open ${s.name || s.id}`, onclick: () => this.open(s.id, lab) }, 'Open')),
        h('div', { class: 'lineage-op' }, i === walk.items.length - 1 && !s.operation && walk.complete ? 'the first: ' : 'made by ', describeOperation(s.operation)),
        h('div', { class: 'hint' }, `dimension ${s.dimension} · norm `, num(s.norm), ' · stored ', time(s.created_at)))));
      end.textContent = walk.complete
        ? (walk.items.length === 1 ? 'Nothing before it: it was sent as it is.' : `${walk.items.length} states, back to the first.`)
        : walk.missing ? `The walk stops at ${walk.missing}: that state was deleted.` : `The walk stops after ${walk.items.length} states.`;
    } catch (e) {
      if (mine === this.loads) showProblem(box, e, { focus: false });
    } finally {
      if (mine === this.loads) list.removeAttribute('aria-busy');
    }
  },
  async open(id, lab) {
    clearErrors(this.box);
    try {
      lab.emit('state', await lab.api.getSuperposition(id));
      this.box.querySelector('.lineage-list').focus();
    } catch (e) {
      showProblem(this.box, e);
    }
  },
};

/** The operations the State view shows for the open state. */
export const OPERATIONS = [gates, collapse, lineage];
