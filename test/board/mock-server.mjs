// Development server for dlc-board's page: serves tools/dlc-board/web and fixture JSON that follows
// tools/dlc-board/API.md, so the page and test/board/browser.test.mjs run without the C++ server.
//
//   node test/board/mock-server.mjs --port 0 --modules /tmp/board-web [--no-runs] [--no-storage] [--no-model]
//
// --modules names the folder holding node_modules/chart.js (after `npm ci` of tools/dlc-board/web).
// The --no-* flags serve the empty states: no runs, no --storage, no --checkpoint.
// Prediction is deterministic: logit = -1.5 + 0.3*I1 - 0.2*I2 + (0.4 - 0.1*k) for each categorical
// value that is the k-th example of its field + 0.05 per known id in hist_item_id.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '../../tools/dlc-board/web');

function parseArgs(argv) {
  const args = {port: 0, host: '127.0.0.1', modules: null, runs: true, storage: true, model: true};
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--port') args.port = Number(argv[++i]);
    else if (arg === '--host') args.host = argv[++i];
    else if (arg === '--modules') args.modules = argv[++i];
    else if (arg === '--no-runs') args.runs = false;
    else if (arg === '--no-storage') args.storage = false;
    else if (arg === '--no-model') args.model = false;
    else throw new Error(`mock-server: unknown argument '${arg}'`);
  }
  if (!Number.isInteger(args.port) || args.port < 0) throw new Error('mock-server: --port needs an integer');
  return args;
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

function curve(epochs, start, end, wobble, phase) {
  const out = [];
  for (let e = 0; e < epochs; ++e) {
    const t = epochs === 1 ? 1 : e / (epochs - 1);
    out.push(Number((start + (end - start) * (1 - Math.exp(-3 * t)) / (1 - Math.exp(-3)) +
                     wobble * Math.sin(e * 1.7 + phase)).toFixed(5)));
  }
  return out;
}

function history(epochs, seed) {
  const loss = curve(epochs, 0.52, 0.445 - 0.005 * seed, 0.002, seed);
  const valLoss = curve(epochs, 0.5, 0.458 - 0.004 * seed, 0.004, seed + 1);
  const auc = curve(epochs, 0.66, 0.752 + 0.01 * seed, 0.002, seed + 2);
  const valAuc = curve(epochs, 0.675, 0.735 + 0.008 * seed, 0.004, seed + 3);
  const lr = Array.from({length: epochs}, (_, e) => Number((0.002 * Math.pow(0.7, e)).toPrecision(4)));
  return {
    epoch: Array.from({length: epochs}, (_, e) => e),
    metrics: {loss, auc, logloss: loss.slice(), val_loss: valLoss, val_auc: valAuc,
              val_logloss: valLoss.slice(), lr},
  };
}

function runsFixture() {
  const first = history(6, 0);
  first.metrics.val_auc[2] = null; // a NaN arrives as null
  return {
    logdir: 'build/demo',
    runs: [
      {name: 'deepfm-criteo', history: first, tensorboard: {},
       summary: {model: 'deepfm', data: 'criteo:data/criteo-sample.txt', best_epoch: 4, epochs_run: 6,
                 test: {auc: 0.7412, logloss: 0.4561, loss: 0.4561}},
       modified: 1790000000.0},
      {name: 'sweeps/wide-deep-lr0.01', history: history(9, 1),
       tensorboard: {'epoch/loss': [[0, 0.51], [1, 0.48], [2, 0.47]]},
       summary: {model: 'wide_deep', data: 'criteo:data/criteo-sample.txt', best_epoch: 7, epochs_run: 9,
                 test: {auc: 0.7498, logloss: 0.4502, loss: 0.4502}},
       modified: 1790003600.5},
      {name: 'tb-only', history: null,
       tensorboard: {
         'batch/loss': Array.from({length: 40}, (_, i) => [i, Number((0.69 - 0.2 * (1 - Math.exp(-i / 10)) +
                                                                   0.01 * Math.sin(i)).toFixed(4))]),
         'epoch/auc': [[0, 0.68], [1, 0.71], [2, 0.72]]},
       summary: null, modified: 1789990000.0},
    ],
  };
}

function studiesFixture() {
  const trial = (number, state, value, lr, optimizer, dim, intermediate, seconds) =>
    ({number, state, value, params: {lr, optimizer, embedding_dim: dim}, intermediate, seconds});
  return {
    storage: 'study.db',
    studies: [{
      name: 'deepfm-search', direction: 'maximize',
      trials: [
        trial(0, 'COMPLETE', 0.7101, '0.00123', 'adam', '8', [[0, 0.68], [1, 0.70], [2, 0.7101]], 12.3),
        trial(1, 'COMPLETE', 0.7034, '0.0451', 'sgd', '16', [[0, 0.66], [1, 0.69], [2, 0.7034]], 11.8),
        trial(2, 'PRUNED', null, '0.0002', 'sgd', '4', [[0, 0.61]], 4.1),
        trial(3, 'COMPLETE', 0.7312, '0.002', 'adam', '16', [[0, 0.70], [1, 0.72], [2, 0.7312]], 13.0),
        trial(4, 'FAIL', null, '0.9', 'adam', '32', [], 0.4),
        trial(5, 'COMPLETE', 0.7255, '0.0031', 'adagrad', '16', [[0, 0.70], [1, 0.72], [2, 0.7255]], 12.7),
        trial(6, 'COMPLETE', 0.7289, '0.0017', 'adam', '32', [[0, 0.70], [1, 0.72], [2, 0.7289]], 15.2),
        trial(7, 'RUNNING', null, '0.0024', 'adam', '16', [[0, 0.71]], 6.0),
      ],
      best: {number: 3, value: 0.7312, params: {lr: '0.002', optimizer: 'adam', embedding_dim: '16'}},
      importances: [['lr', 0.58], ['optimizer', 0.29], ['embedding_dim', 0.13]],
    }],
  };
}

const model = {
  model: 'deepfm', checkpoint: 'build/demo/deepfm-criteo/best.safetensors', data: 'criteo',
  fields: [
    {name: 'I1', kind: 'dense', default: 0, description: 'log1p applied'},
    {name: 'I2', kind: 'dense', default: 0, description: 'log1p applied'},
    {name: 'C1', kind: 'categorical', vocabulary_size: 120, examples: ['05db9164', '68fd1e64', '8cf07265']},
    {name: 'C2', kind: 'categorical', vocabulary_size: 431, examples: ['38a947a1', '207b2d81', '4f25e98b']},
    {name: 'C3', kind: 'categorical', vocabulary_size: 3, examples: ['a', 'b', 'c']},
    {name: 'hist_item_id', kind: 'id_list', maxlen: 5, examples: ['318', '296', '593']},
  ],
};

// Returns [status, body] for one example, following API.md's POST /api/predict.
function predictOne(example) {
  if (example === null || typeof example !== 'object' || Array.isArray(example))
    return [400, {error: 'predict: the body must be a JSON object of field name -> value'}];
  const byName = new Map(model.fields.map((f) => [f.name, f]));
  for (const name of Object.keys(example))
    if (!byName.has(name)) return [400, {error: `predict: unknown field '${name}'`}];
  let logit = -1.5;
  const unknown = [];
  const defaulted = [];
  for (const field of model.fields) {
    if (!(field.name in example)) {
      defaulted.push(field.name);
      continue;
    }
    const value = example[field.name];
    if (field.kind === 'dense') {
      const number = typeof value === 'number' ? value
                   : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(number))
        return [400, {error: `predict: field '${field.name}' is dense and needs a number, ` +
                             `got ${JSON.stringify(value)}`}];
      logit += field.name === 'I1' ? 0.3 * number : -0.2 * number;
    } else if (field.kind === 'categorical') {
      if (typeof value !== 'string' && typeof value !== 'number')
        return [400, {error: `predict: field '${field.name}' is categorical and needs a string`}];
      const k = field.examples.indexOf(String(value));
      if (k < 0) unknown.push(field.name);
      else logit += 0.4 - 0.1 * k;
    } else {
      const ids = Array.isArray(value) ? value.map(String) : (String(value).includes(',') ? String(value).split(',') : String(value).split(/\s+/)).map((v) => v.trim()).filter(Boolean);
      if (ids.length > field.maxlen)
        return [400, {error: `predict: field '${field.name}' has ${ids.length} ids, more than maxlen ${field.maxlen}`}];
      const known = ids.filter((id) => field.examples.includes(id));
      if (known.length < ids.length) unknown.push(field.name);
      logit += 0.05 * known.length;
    }
  }
  return [200, {probability: 1 / (1 + Math.exp(-logit)), logit, unknown, defaulted}];
}

function predict(body) {
  if (body && typeof body === 'object' && Array.isArray(body.instances)) {
    const predictions = [];
    for (const instance of body.instances) {
      const [status, result] = predictOne(instance);
      if (status !== 200) return [status, result];
      predictions.push(result);
    }
    return [200, {predictions}];
  }
  return predictOne(body);
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

const securityHeaders = {
  'Content-Security-Policy': "default-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function send(res, status, type, body) {
  res.writeHead(status, {'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...securityHeaders});
  res.end(body);
}

function sendJSON(res, status, value) {
  send(res, status, 'application/json', JSON.stringify(value));
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const files = {
    '/': [path.join(webDir, 'index.html'), 'text/html; charset=utf-8'],
    '/assets/app.js': [path.join(webDir, 'app.js'), 'text/javascript; charset=utf-8'],
    '/assets/style.css': [path.join(webDir, 'style.css'), 'text/css; charset=utf-8'],
  };
  if (args.modules)
    files['/assets/chart.umd.js'] = [path.join(args.modules, 'node_modules/chart.js/dist/chart.umd.js'),
                                     'text/javascript; charset=utf-8'];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/api/predict') {
      const chunks = [];
      let size = 0;
      req.on('data', (chunk) => {
        size += chunk.length;
        if (size <= 1 << 20) chunks.push(chunk);
      });
      req.on('end', () => {
        if (size > 1 << 20) return sendJSON(res, 413, {error: 'predict: body larger than 1 MiB'});
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch (err) {
          return sendJSON(res, 400, {error: `predict: malformed JSON: ${err.message}`});
        }
        if (!args.model) return sendJSON(res, 404, {error: 'dlc-board was started without --checkpoint'});
        const [status, result] = predict(body);
        sendJSON(res, status, result);
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJSON(res, 404, {error: `no ${req.method} ${url.pathname}`});
    if (url.pathname === '/api/runs')
      return sendJSON(res, 200, args.runs ? runsFixture() : {logdir: 'build/empty', runs: []});
    if (url.pathname === '/api/studies')
      return sendJSON(res, 200, args.storage ? studiesFixture() : {storage: null, studies: []});
    if (url.pathname === '/api/model') {
      if (!args.model) return sendJSON(res, 404, {error: 'dlc-board was started without --checkpoint'});
      return sendJSON(res, 200, model);
    }
    const file = files[url.pathname === '/index.html' ? '/' : url.pathname];
    if (!file) return sendJSON(res, 404, {error: `not found: ${url.pathname}`});
    fs.readFile(file[0], (err, data) => {
      if (err) return sendJSON(res, 404, {error: `not found: ${url.pathname}`});
      res.writeHead(200, {'Content-Type': file[1], 'Content-Length': data.length, ...securityHeaders});
      res.end(req.method === 'HEAD' ? undefined : data);
    });
  });
  server.listen(args.port, args.host, () => {
    const {port} = server.address();
    console.log(`listening on http://${args.host}:${port}/`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

try {
  main();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
