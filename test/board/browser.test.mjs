// Browser test of dlc-board's page: drives headless Chromium through playwright-core against a
// running server (dlc-board or test/board/mock-server.mjs) and checks runs, studies and predict.
//
//   node test/board/browser.test.mjs --url http://127.0.0.1:PORT --modules DIR --screenshot OUT.png
//        [--expect-probability P]
//
// DIR holds node_modules/playwright-core (`npm ci` of tools/dlc-board/web). CHROMIUM overrides the
// browser (default /usr/bin/chromium). Exits 0 when every check passes, 1 otherwise.
import path from 'node:path';
import {createRequire} from 'node:module';

const TIMEOUT_MS = 60_000;

function parseArgs(argv) {
  const args = {url: null, modules: null, screenshot: null, expectProbability: null};
  for (let i = 0; i < argv.length; ++i) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--url': args.url = value; break;
      case '--modules': args.modules = value; break;
      case '--screenshot': args.screenshot = value; break;
      case '--expect-probability': args.expectProbability = Number(value); break;
      default: throw new Error(`unknown argument '${argv[i]}'`);
    }
    ++i;
    if (value === undefined) throw new Error(`${argv[i - 1]} needs a value`);
  }
  for (const name of ['url', 'modules', 'screenshot'])
    if (!args[name]) throw new Error(`--${name} is required`);
  if (args.expectProbability !== null && !(args.expectProbability > 0 && args.expectProbability < 1))
    throw new Error('--expect-probability needs a number in (0, 1)');
  return args;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
  console.log(`ok   ${message}`);
}

// Chromium logs a console error for every HTTP error response; these are the ones the page and
// this test cause on purpose.
function expectedHttpError(message) {
  if (!message.text().startsWith('Failed to load resource')) return false;
  const url = message.location().url || '';
  return (/\/api\/predict$/.test(url) && /status of 400/.test(message.text())) ||
         (/\/api\/model$/.test(url) && /status of 404/.test(message.text())) ||
         /\/favicon\.ico$/.test(url);
}

async function run(args, state) {
  const require = createRequire(path.join(path.resolve(args.modules), 'package.json'));
  const {chromium} = require('playwright-core');
  state.browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    headless: true,
  });
  const page = await state.browser.newPage({viewport: {width: 1360, height: 900}});
  page.setDefaultTimeout(20_000);
  const problems = state.problems;
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !expectedHttpError(message))
      problems.push(`console error: ${message.text()} (${message.location().url || 'page'})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`HTTP ${response.status()} from ${response.url()}`);
  });
  const noProblems = () => {
    if (problems.length) throw new Error(`the page reported ${problems.length} error(s):`);
  };

  const response = await page.goto(args.url, {waitUntil: 'load'});
  check(response && response.ok(), `loaded ${args.url} (HTTP ${response && response.status()})`);
  await page.waitForSelector('body[data-ready="1"]');
  noProblems();
  check(true, 'page is ready (body[data-ready="1"])');
  const errors = await page.locator('#runs .status.error, #studies .status.error').allInnerTexts();
  check(errors.length === 0, `runs and studies show no error${errors.length ? `: ${errors.join('; ')}` : ''}`);

  // Runs.
  const runs = await page.locator('#runs-list > li').count();
  check(runs >= 1, `runs list has ${runs} entries (>= 1)`);
  const canvases = await page.locator('#run-charts canvas').count();
  check(canvases >= 2, `#run-charts has ${canvases} chart canvases (>= 2)`);
  const drawn = await page.evaluate(() => {
    const canvas = document.querySelector('#run-charts canvas');
    const {data} = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    // Pixels in the colour of the first data line, and pixels drawn at all.
    const chart = window.Chart.getChart(canvas);
    const color = String(chart.data.datasets[0].borderColor);
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    let inked = 0;
    let line = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      ++inked;
      if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24 &&
          data[i + 3] > 200)
        ++line;
    }
    return {inked, line, total: data.length / 4, color};
  });
  check(drawn.inked > drawn.total * 0.01 && drawn.line >= 30,
        `first run chart has drawn pixels (${drawn.inked} of ${drawn.total} inked, ${drawn.line} in ${drawn.color})`);

  // Studies.
  const studies = await page.evaluate(async () => (await fetch('api/studies')).json());
  if (studies.storage === null) {
    const text = await page.locator('#studies').innerText();
    check(text.includes('--storage'), 'studies section says to start dlc-board with --storage');
  } else {
    const articles = await page.locator('#studies article').count();
    check(articles >= 1, `studies section shows ${articles} studies from ${studies.storage} (>= 1)`);
    const studyCanvases = await page.locator('#studies canvas').count();
    check(studyCanvases >= 1, `studies section has ${studyCanvases} chart canvases (>= 1)`);
  }

  // Predict.
  const model = await page.evaluate(async () => {
    const r = await fetch('api/model');
    return {status: r.status, body: await r.json()};
  });
  if (model.status === 404) {
    if (args.expectProbability !== null)
      throw new Error(`--expect-probability was given but the server has no model: ${model.body.error}`);
    console.log(`skip predict checks: the server has no model (${model.body.error})`);
  } else {
    check(model.status === 200 && Array.isArray(model.body?.fields),
          `GET api/model lists ${model.body?.fields?.length} fields`);
    await page.waitForSelector('#predict-form');
    const categorical = model.body.fields.find((f) => f.kind === 'categorical');
    if (categorical) {
      const example = await page.evaluate((name) => {
        const input = document.getElementById(`field-${name}`);
        return input && input.list && input.list.options.length ? input.list.options[0].value : null;
      }, categorical.name);
      check(example !== null, `field ${categorical.name} offers examples (first: ${example})`);
      await page.locator(`#predict-form [name=${JSON.stringify(categorical.name)}]`).fill(example);
    }
    await page.click('#predict-submit');
    await page.waitForFunction(() => {
      const out = document.getElementById('prediction');
      return out && (out.classList.contains('error') || /probability/i.test(out.textContent));
    });
    const text = (await page.locator('#prediction').innerText()).replace(/\s+/g, ' ');
    const match = /probability:?\s*([0-9.]+)\s*%/i.exec(text);
    check(match !== null, `#prediction shows a probability: "${text.slice(0, 80)}"`);
    const percent = Number(match[1]);
    check(percent > 0 && percent < 100, `probability ${percent}% is in (0, 100)`);
    if (args.expectProbability !== null) {
      const want = args.expectProbability * 100;
      check(Math.abs(percent - want) <= 0.01, `probability ${percent}% equals the expected ${want.toFixed(4)}%`);
    }

    const dense = model.body.fields.find((f) => f.kind === 'dense');
    const bad = dense ? {[dense.name]: 'abc'} : {__no_such_field__: '1'};
    const rejected = await page.evaluate(async (body) => {
      const r = await fetch('api/predict', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                            body: JSON.stringify(body)});
      return {status: r.status, body: await r.json().catch(() => null)};
    }, bad);
    check(rejected.status === 400 && typeof rejected.body?.error === 'string' && rejected.body.error.length > 0,
          `POST api/predict ${JSON.stringify(bad)} gives 400: ${JSON.stringify(rejected.body)}`);
  }

  noProblems();
  check(true, 'no page errors, console errors or 5xx responses');
  await page.screenshot({path: args.screenshot, fullPage: true});
  check(true, `screenshot saved to ${args.screenshot}`);
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`browser.test: ${err.message}`);
    return 1;
  }
  const state = {browser: null, problems: []};
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  let status = 0;
  try {
    await Promise.race([run(args, state), timeout]);
    console.log('browser.test: all checks passed');
  } catch (err) {
    console.error(`FAIL browser.test: ${err.message}`);
    for (const problem of state.problems) console.error(`     ${problem}`);
    status = 1;
  } finally {
    clearTimeout(timer);
    if (state.browser) await state.browser.close().catch(() => {});
  }
  return status;
}

process.exit(await main());
