// dlc-board's page: training runs, tuning studies and a prediction form, from the API in ../API.md.
//
// Everything taken from JSON goes into the DOM as text (el() below, textContent), never as HTML.
// body[data-ready="1"] tells the browser test that the current view's charts are drawn.
'use strict';

const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#db2777',
                 '#4b5563', '#65a30d'];
const STATES = {
  COMPLETE: {color: '#2563eb', pointStyle: 'circle'},
  PRUNED: {color: '#d97706', pointStyle: 'triangle'},
  FAIL: {color: '#dc2626', pointStyle: 'crossRot'},
  RUNNING: {color: '#16a34a', pointStyle: 'rectRot'},
  WAITING: {color: '#6b7280', pointStyle: 'rect'},
};
const FAMILY_ORDER = ['loss', 'auc', 'logloss'];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Creates an element; props: class, text, on<event>, else attributes. Children: nodes or text.
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false)
      node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

function fmt(value, digits = 4) {
  if (!isNumber(value)) return '–';
  const size = Math.abs(value);
  if (value !== 0 && (size < 1e-3 || size >= 1e5)) return value.toExponential(2);
  return value.toFixed(digits);
}

function formatTime(seconds) {
  if (!isNumber(seconds)) return '';
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:` +
         `${pad(d.getMinutes())}`;
}

// A parameter's value for reading: numbers with 4 significant digits (the
// API, and each trials-table cell's tooltip, keep every digit).
function shortParam(value) {
  const text = String(value);
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) && !Number.isInteger(number)
    ? String(Number(number.toPrecision(4))) : text;
}

function paramText(params) {
  return Object.entries(params || {}).map(([k, v]) => `${k}=${shortParam(v)}`).join(', ');
}

async function fetchJSON(url, init) {
  const response = await fetch(url, init);
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return {status: response.status, ok: response.ok, body};
}

function errorOf(result, url) {
  const message = result.body && result.body.error;
  return typeof message === 'string' && message ? message : `${url}: HTTP ${result.status}`;
}

function setStatus(id, text, kind = '') {
  const node = document.getElementById(id);
  node.textContent = text;
  node.className = `status ${kind}`;
  node.hidden = !text;
}

function addMeta(label, value) {
  if (value === null || value === undefined || value === '') return;
  document.getElementById('meta').append(el('span', {}, `${label} `, el('code', {}, String(value))));
}

// Both the DOM and the charts are drawn synchronously (animation is off); the two frames let
// the responsive resize settle before the test looks.
function markReady() {
  requestAnimationFrame(() => requestAnimationFrame(() => { document.body.dataset.ready = '1'; }));
}

// ---------------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------------

/// Appends a titled card with a canvas to parent and draws a chart on it.
function addChart(parent, title, config, charts, extraClass = '') {
  const canvas = el('canvas', {role: 'img', 'aria-label': title});
  parent.append(el('figure', {class: `card chart-card ${extraClass}`},
                   el('figcaption', {}, title), el('div', {class: 'chart-box'}, canvas)));
  const options = config.options || {};
  const chart = new Chart(canvas, {
    ...config,
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: {mode: 'nearest', intersect: false},
      ...options,
      plugins: {legend: {display: config.data.datasets.length > 1, labels: {boxWidth: 12, boxHeight: 2}},
                ...options.plugins},
    },
  });
  charts.push(chart);
  return chart;
}

function lineDataset(label, data, color, dashed = false, width = 2) {
  return {label, data, borderColor: color, backgroundColor: color, borderWidth: width,
          borderDash: dashed ? [6, 4] : [], pointRadius: data.length > 40 ? 0 : 2.5, tension: 0};
}

function linearAxes(xTitle, yTitle = '') {
  return {
    x: {type: 'linear', title: {display: true, text: xTitle}, ticks: {precision: 0}},
    y: {title: {display: Boolean(yTitle), text: yTitle}},
  };
}

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

const runsView = {runs: [], selected: 0, charts: []};

/// Points {x: epoch (1-based), y} of one history metric; null values stay gaps.
function historySeries(history, key) {
  const values = history.metrics[key] || [];
  return values.map((y, i) => ({x: (isNumber(history.epoch?.[i]) ? history.epoch[i] : i) + 1,
                                y: isNumber(y) ? y : null}));
}

/// Groups metric names so that val_X shares a chart with X; loss, auc, logloss first.
function metricFamilies(metrics) {
  const families = new Map();
  for (const key of Object.keys(metrics || {})) {
    const base = key.startsWith('val_') && key.length > 4 ? key.slice(4) : key;
    if (!families.has(base)) families.set(base, []);
    families.get(base).push(key);
  }
  const rank = (name) => (FAMILY_ORDER.includes(name) ? FAMILY_ORDER.indexOf(name) : FAMILY_ORDER.length);
  return [...families.entries()].sort((a, b) => rank(a[0]) - rank(b[0]))
      .map(([base, keys]) => [base, keys.sort((a, b) => Number(a.startsWith('val_')) - Number(b.startsWith('val_')))]);
}

function runSummaryText(run) {
  const s = run.summary;
  if (!s) return [];
  const parts = [];
  if (s.model || s.data) parts.push([s.model, s.data].filter(Boolean).join(' · '));
  if (s.test && (isNumber(s.test.auc) || isNumber(s.test.logloss)))
    parts.push(`test AUC ${fmt(s.test.auc)} · logloss ${fmt(s.test.logloss)}`);
  return parts;
}

function renderRunsList() {
  const list = document.getElementById('runs-list');
  list.replaceChildren(...runsView.runs.map((run, i) => {
    const button = el('button', {type: 'button', class: 'run', 'aria-current': i === runsView.selected ? 'true' : null,
                                 onclick: () => selectRun(i)},
                      el('span', {class: 'run-name', text: run.name}),
                      runSummaryText(run).map((line) => el('span', {class: 'run-line', text: line})),
                      el('time', {class: 'run-time', text: formatTime(run.modified)}));
    return el('li', {}, button);
  }));
}

function renderRunCharts() {
  for (const chart of runsView.charts) chart.destroy();
  runsView.charts = [];
  const root = document.getElementById('run-charts');
  root.replaceChildren();
  const run = runsView.runs[runsView.selected];
  if (!run) return;

  const s = run.summary;
  const details = [];
  if (s) {
    if (s.model) details.push(`model ${s.model}`);
    if (s.data) details.push(`data ${s.data}`);
    if (isNumber(s.best_epoch))
      details.push(`best epoch ${s.best_epoch}${isNumber(s.epochs_run) ? ` of ${s.epochs_run}` : ''}`);
    for (const [name, value] of Object.entries(s.test || {})) details.push(`test ${name} ${fmt(value)}`);
  }
  if (isNumber(run.modified)) details.push(`modified ${formatTime(run.modified)}`);
  root.append(el('div', {class: 'run-head'}, el('h3', {text: run.name}),
                 el('p', {class: 'muted', text: details.join(' · ')})));
  // Files of the run the server could not read (a corrupt event file, say).
  if (Array.isArray(run.errors) && run.errors.length > 0)
    root.append(el('ul', {class: 'error run-errors'}, run.errors.map((e) => el('li', {text: String(e)}))));

  const grid = el('div', {class: 'chart-grid'});
  root.append(grid);
  const families = run.history ? metricFamilies(run.history.metrics) : [];
  for (const [base, keys] of families) {
    const datasets = keys.map((key, i) => lineDataset(key, historySeries(run.history, key), PALETTE[i % PALETTE.length],
                                                      key.startsWith('val_')));
    addChart(grid, base, {type: 'line', data: {datasets}, options: {scales: linearAxes('epoch')}}, runsView.charts);
  }
  const tags = Object.keys(run.tensorboard || {});
  if (families.length === 0 && tags.length > 0) {
    for (const tag of tags) {
      const points = (run.tensorboard[tag] || []).map(([x, y]) => ({x, y: isNumber(y) ? y : null}));
      addChart(grid, tag, {type: 'line', data: {datasets: [lineDataset(tag, points, PALETTE[0])]},
                           options: {scales: linearAxes('step')}}, runsView.charts);
    }
  }
  if (families.length === 0 && tags.length === 0)
    grid.append(el('p', {class: 'empty', text: 'This run has neither a history.json nor TensorBoard scalars.'}));

  renderComparison(grid);
}

/// One line per run of val_auc (or, when no run has it, the first metric some run has).
function renderComparison(grid) {
  const withHistory = runsView.runs.filter((run) => run.history && run.history.metrics);
  const metric = ['val_auc', 'auc', 'val_loss', 'loss'].find((m) => withHistory.some((run) => run.history.metrics[m]));
  if (!metric) return;
  const datasets = [];
  runsView.runs.forEach((run, i) => {
    if (!run.history || !run.history.metrics || !run.history.metrics[metric]) return;
    const selected = i === runsView.selected;
    datasets.push(lineDataset(run.name, historySeries(run.history, metric), PALETTE[i % PALETTE.length], false,
                              selected ? 3 : 1.5));
  });
  addChart(grid, `${metric} — all runs`, {
    type: 'line', data: {datasets},
    options: {scales: linearAxes('epoch'), plugins: {legend: {display: true, labels: {boxWidth: 12, boxHeight: 2}}}},
  }, runsView.charts, 'wide');
}

function selectRun(index) {
  document.body.dataset.ready = '0';
  runsView.selected = index;
  renderRunsList();
  renderRunCharts();
  markReady();
}

async function loadRuns() {
  const result = await fetchJSON('api/runs');
  if (!result.ok || !result.body) throw new Error(errorOf(result, 'api/runs'));
  const {logdir, runs} = result.body;
  addMeta('logdir', logdir);
  runsView.runs = Array.isArray(runs) ? runs : [];
  if (runsView.runs.length === 0) {
    setStatus('runs-status', `no runs found under ${logdir ?? 'the log directory'}`, 'empty');
    return;
  }
  setStatus('runs-status', '');
  renderRunsList();
  renderRunCharts();
}

// ---------------------------------------------------------------------------------------------
// Studies
// ---------------------------------------------------------------------------------------------

const studyCharts = [];

/// The value a trial is plotted at: its value, or a pruned trial's last intermediate value.
function trialValue(trial) {
  if (isNumber(trial.value)) return trial.value;
  const steps = trial.state === 'PRUNED' && Array.isArray(trial.intermediate) ? trial.intermediate : [];
  const last = steps.length ? steps[steps.length - 1][1] : null;
  return isNumber(last) ? last : null;
}

function renderStudy(study) {
  const trials = [...(study.trials || [])].sort((a, b) => a.number - b.number);
  const maximize = study.direction !== 'minimize';
  const counts = {};
  for (const trial of trials) counts[trial.state] = (counts[trial.state] || 0) + 1;

  const summary = el('p', {class: 'study-summary'},
                     el('span', {class: 'tag', text: study.direction || 'maximize'}),
                     ` ${trials.length} trials: `,
                     Object.entries(counts).map(([state, n]) =>
                       el('span', {class: `state state-${state.toLowerCase()}`, text: `${n} ${state}`})));
  const bestLine = study.best
    ? el('p', {class: 'study-best'}, 'best ', el('strong', {text: `#${study.best.number}: ${fmt(study.best.value)}`}),
         ` with ${paramText(study.best.params) || 'no params'}`)
    : el('p', {class: 'study-best muted', text: 'no complete trial yet'});
  const grid = el('div', {class: 'chart-grid'});
  const article = el('article', {class: 'study card'}, el('h3', {text: study.name}), summary, bestLine, grid);
  document.getElementById('studies-body').append(article);

  // Trial values by state, and the best value so far over the complete trials.
  const datasets = [];
  for (const [state, style] of Object.entries(STATES)) {
    const points = trials.filter((t) => t.state === state && trialValue(t) !== null)
        .map((t) => ({x: t.number, y: trialValue(t)}));
    if (points.length === 0) continue;
    datasets.push({label: state === 'PRUNED' ? 'PRUNED (last intermediate)' : state, data: points,
                   backgroundColor: style.color, borderColor: style.color, pointStyle: style.pointStyle,
                   pointRadius: 5, pointHoverRadius: 7});
  }
  const bestSoFar = [];
  let best = null;
  for (const trial of trials) {
    if (trial.state === 'COMPLETE' && isNumber(trial.value))
      best = best === null ? trial.value : maximize ? Math.max(best, trial.value) : Math.min(best, trial.value);
    if (best !== null) bestSoFar.push({x: trial.number, y: best});
  }
  if (bestSoFar.length > 0) {
    datasets.push({label: `best so far (${maximize ? 'max' : 'min'})`, data: bestSoFar, showLine: true,
                   stepped: 'after', borderColor: '#111827', backgroundColor: '#111827', borderWidth: 1.5,
                   pointRadius: 0});
  }
  if (datasets.length > 0) {
    addChart(grid, 'objective value by trial', {
      type: 'scatter', data: {datasets},
      options: {scales: linearAxes('trial', 'value'),
                plugins: {legend: {display: true, position: 'bottom', labels: {usePointStyle: true, boxHeight: 6}}}},
    }, studyCharts);
  } else {
    grid.append(el('p', {class: 'empty', text: 'No trial has a value yet.'}));
  }

  const importances = study.importances || [];
  if (importances.length > 0) {
    addChart(grid, 'parameter importance', {
      type: 'bar',
      data: {labels: importances.map(([name]) => name),
             datasets: [{label: 'importance', data: importances.map(([, v]) => v), backgroundColor: '#60a5fa',
                         borderColor: '#2563eb', borderWidth: 1}]},
      options: {indexAxis: 'y', interaction: {mode: 'index', intersect: false},
                scales: {x: {min: 0, max: 1, ticks: {callback: (v) => `${Math.round(v * 100)}%`}}}},
    }, studyCharts);
  } else {
    grid.append(el('p', {class: 'empty', text: 'Too few trials for parameter importances.'}));
  }

  article.append(trialsTable(trials, study.best));
}

function trialsTable(trials, best) {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params || {})))];
  const head = el('tr', {}, ['#', 'state', 'value', ...names, 'seconds'].map((h) => el('th', {scope: 'col', text: h})));
  const rows = trials.map((t) => el('tr', {class: best && best.number === t.number ? 'best' : null},
      el('td', {class: 'num', text: String(t.number)}),
      el('td', {}, el('span', {class: `state state-${String(t.state).toLowerCase()}`, text: t.state})),
      el('td', {class: 'num', text: fmt(t.value)}),
      names.map((n) => el('td', {text: t.params && n in t.params ? shortParam(t.params[n]) : '',
                                  title: t.params && n in t.params ? String(t.params[n]) : ''})),
      el('td', {class: 'num', text: isNumber(t.seconds) ? t.seconds.toFixed(1) : '–'})));
  return el('div', {class: 'table-wrap'},
            el('table', {class: 'trials'}, el('caption', {text: 'Trials'}), el('thead', {}, head),
               el('tbody', {}, rows)));
}

async function loadStudies() {
  const result = await fetchJSON('api/studies');
  if (!result.ok || !result.body) throw new Error(errorOf(result, 'api/studies'));
  const {storage, studies} = result.body;
  if (storage === null || storage === undefined) {
    setStatus('studies-status', 'start dlc-board with --storage to see tuning studies', 'empty');
    return;
  }
  addMeta('storage', storage);
  if (!Array.isArray(studies) || studies.length === 0) {
    setStatus('studies-status', `no studies in ${storage}`, 'empty');
    return;
  }
  setStatus('studies-status', '');
  for (const study of studies) renderStudy(study);
}

// ---------------------------------------------------------------------------------------------
// Predict
// ---------------------------------------------------------------------------------------------

function fieldInput(field) {
  const id = `field-${field.name}`;
  const input = el('input', {id, name: field.name, autocomplete: 'off', spellcheck: 'false'});
  let hint = '';
  let datalist = null;
  if (field.kind === 'dense') {
    input.type = 'number';
    input.step = 'any';
    input.placeholder = String(field.default ?? 0);
    hint = [field.description, `default ${field.default ?? 0}`].filter(Boolean).join(' · ');
  } else {
    input.type = 'text';
    const examples = Array.isArray(field.examples) ? field.examples : [];
    if (examples.length > 0) {
      datalist = el('datalist', {id: `examples-${field.name}`}, examples.map((v) => el('option', {value: String(v)})));
      input.setAttribute('list', datalist.id);
    }
    if (field.kind === 'id_list') {
      input.placeholder = 'comma-separated';
      hint = `id list, comma-separated${isNumber(field.maxlen) ? `, up to ${field.maxlen}` : ''}`;
    } else {
      input.placeholder = examples.length > 0 ? `e.g. ${examples[0]}` : '';
      hint = isNumber(field.vocabulary_size) ? `categorical · ${field.vocabulary_size} values` : 'categorical';
    }
  }
  input.dataset.kind = field.kind;
  input.setAttribute('aria-describedby', `${id}-hint`);
  return el('div', {class: 'field'},
            el('label', {for: id}, el('span', {class: 'field-name', text: field.name}),
               el('span', {class: `kind kind-${field.kind}`, text: field.kind})),
            input, datalist, el('small', {id: `${id}-hint`, class: 'muted', text: hint}));
}

/// The request body: only the fields the user filled, dense as numbers, id lists as arrays.
function predictBody(form) {
  const body = {};
  for (const input of form.querySelectorAll('input[name]')) {
    const text = input.value.trim();
    if (text === '') continue;
    if (input.dataset.kind === 'dense') body[input.name] = Number.isFinite(Number(text)) ? Number(text) : text;
    else if (input.dataset.kind === 'id_list') body[input.name] = (text.includes(',') ? text.split(',') : text.split(/\s+/))
          .map((v) => v.trim()).filter(Boolean);
    else body[input.name] = text;
  }
  return body;
}

function showPrediction(output, result) {
  output.className = 'prediction';
  if (!result.ok) {
    output.classList.add('error');
    output.replaceChildren(el('p', {text: `Rejected: ${errorOf(result, 'api/predict')}`}));
    return;
  }
  const {probability, logit, unknown = [], defaulted = []} = result.body;
  const notes = [];
  if (unknown.length)
    notes.push(el('li', {}, 'unknown (scored as out-of-vocabulary): ', el('code', {text: unknown.join(', ')})));
  if (defaulted.length) notes.push(el('li', {}, 'defaulted: ', el('code', {text: defaulted.join(', ')})));
  output.replaceChildren(
      el('p', {class: 'probability'}, 'Click probability: ',
         el('strong', {text: isNumber(probability) ? `${(probability * 100).toFixed(2)}%` : '–'})),
      isNumber(probability)
        ? el('progress', {max: '1', value: String(probability), 'aria-label': 'probability'}) : null,
      el('p', {class: 'muted', text: `logit ${fmt(logit)}`}),
      notes.length ? el('ul', {class: 'notes'}, notes) : null);
}

async function loadModel() {
  const result = await fetchJSON('api/model');
  if (!result.ok || !result.body) {
    setStatus('predict-status', errorOf(result, 'api/model'), result.status === 404 ? 'empty' : 'error');
    if (result.status === 404) {
      document.getElementById('predict-body').append(el('p', {class: 'muted'},
          'Start dlc-board with ', el('code', {text: '--checkpoint best.safetensors'}),
          ' (a checkpoint written by dlc-train) to score examples here.'));
    }
    return;
  }
  const m = result.body;
  addMeta('checkpoint', m.checkpoint);
  setStatus('predict-status', '');
  const fields = Array.isArray(m.fields) ? m.fields : [];
  const submit = el('button', {type: 'submit', id: 'predict-submit', class: 'primary', text: 'Predict'});
  const output = el('div', {id: 'prediction', class: 'prediction', 'aria-live': 'polite'},
                    el('p', {class: 'muted',
                             text: 'Fill in some fields and press Predict; empty fields take their defaults.'}));
  const form = el('form', {id: 'predict-form', class: 'card predict-form'},
                  el('div', {class: 'fields'}, fields.map(fieldInput)),
                  el('div', {class: 'actions'}, submit, el('button', {type: 'reset', text: 'Clear'})));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    output.replaceChildren(el('p', {class: 'muted', text: 'Scoring…'}));
    try {
      showPrediction(output, await fetchJSON('api/predict', {
        method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(predictBody(form))}));
    } catch (err) {
      output.className = 'prediction error';
      output.replaceChildren(el('p', {text: `Request failed: ${err.message}`}));
    } finally {
      submit.disabled = false;
    }
  });
  document.getElementById('predict-body').append(
      el('p', {class: 'muted'}, 'model ', el('code', {text: m.model ?? '?'}),
         ' · data ', el('code', {text: m.data ?? '?'}),
         ' · checkpoint ', el('code', {text: m.checkpoint ?? '?'})),
      el('div', {class: 'predict-layout'}, form, output));
}

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------

async function main() {
  const sections = [['runs-status', loadRuns], ['studies-status', loadStudies], ['predict-status', loadModel]];
  if (typeof Chart === 'undefined') {
    for (const [status] of sections) setStatus(status, 'could not load assets/chart.umd.js', 'error');
    markReady();
    return;
  }
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#374151';
  await Promise.all(sections.map(async ([status, load]) => {
    try {
      await load();
    } catch (err) {
      setStatus(status, `error: ${err.message}`, 'error');
    }
  }));
  markReady();
}

main();
