// The stationsim dashboard: start a run, follow it (status polls and server-sent events) until
// it ends, show its report and warnings, list past runs. Talks only to this server's JSON API (docs/web.md).

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
let watching = null;   // the EventSource of the run in view, while it streams
let countries = null;  // the GeoJSON of the map's background, fetched once

// --- the API ---------------------------------------------------------------------------------
async function call(path, options = {}) {
  const answer = await fetch(path, options);
  const body = await answer.json().catch(() => null);
  if (!answer.ok) {
    const error = body && body.error ? body.error : { message: `HTTP ${answer.status}` };
    const problem = new Error(error.message);
    problem.status = answer.status;
    problem.retryAfterMs = retryAfterMs(answer);
    throw problem;
  }
  return body;
}

// How long an answer asks us to wait before the next request [ms], or null.
function retryAfterMs(answer) {
  const value = answer.headers.get("Retry-After");
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, when - Date.now());
}

// An error for people, with when to try again where the server said.
function explain(problem) {
  const ms = problem.retryAfterMs;
  return ms === null || ms === undefined ? problem.message
    : `${problem.message} (in ${Math.max(1, Math.ceil(ms / 1000))} s)`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function fillTable(table, headers, rows) {
  table.replaceChildren(
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((row) => el("tr", {}, ...row.map((cell) =>
      cell instanceof Node ? el("td", {}, cell) : el("td", {}, cell ?? "—"))))));
}

const day = (iso) => (iso ? iso.slice(0, 10) : "—");
const minute = (iso) => (iso ? iso.slice(0, 16).replace("T", " ") : "—");
const num = (x, digits = 0) => (x === null || x === undefined ? "—"
  : Number(x).toLocaleString("en", { maximumFractionDigits: digits,
                                     minimumFractionDigits: digits }));
const yesNo = (flag) => el("span", { class: flag ? "good" : "bad" }, flag ? "yes" : "no");

// --- starting a run --------------------------------------------------------------------------
async function loadScenarios() {
  const { scenarios } = await call("/api/scenarios");
  const select = $("scenario-select");
  select.replaceChildren(...scenarios.map((s) => el("option", { value: s.name }, s.name)));
  const titles = Object.fromEntries(scenarios.map((s) => [s.name, s.title]));
  const show = () => { $("scenario-title").textContent = titles[select.value] || ""; };
  select.addEventListener("change", () => { $("source-builtin").checked = true; show(); });
  show();
}

let fileName = null;
$("scenario-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  fileName = file.name;
  $("scenario-text").value = await file.text();
  $("source-upload").checked = true;
});
$("scenario-text").addEventListener("input", () => { $("source-upload").checked = true; });

$("run-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("form-error");
  error.hidden = true;
  let request;
  if ($("source-upload").checked) {
    request = { text: $("scenario-text").value, filename: fileName };
    if ($("scenario-format").value) request.format = $("scenario-format").value;
  } else {
    request = { scenario: $("scenario-select").value };
  }
  try {
    const run = await call("/api/runs", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
    follow(run.id);
    loadRuns();
  } catch (problem) {
    error.textContent = explain(problem);
    error.hidden = false;
  }
});

// --- following a run -------------------------------------------------------------------------
// One run is in view at a time. Its status is polled (every second at first, then less often)
// until it ends; while it runs, its server-sent events move the progress bar between polls and
// say at once when it ends. `view` counts the runs opened: an answer about a run that is no
// longer in view is dropped.
const TERMINAL = new Set(["done", "failed", "interrupted"]);
const POLL_FIRST_MS = 1000;
const POLL_GROWTH = 1.5;
const POLL_MAX_MS = 10000;
let view = 0;
let polling = null;    // the timer of the next poll of the run in view

function quiet() {
  if (watching) watching.close();
  watching = null;
  if (polling) clearTimeout(polling);
  polling = null;
}

function showProgress(runId, status, phase, fraction) {
  $("progress").hidden = false;
  $("run-id").textContent = runId;
  $("run-status").textContent = status;
  $("run-status").className = `status ${status}`;
  $("run-phase").textContent = phase || "";
  $("run-progress").value = fraction || 0;
}

function showWarnings(warnings) {
  $("warnings-list").replaceChildren(...warnings.map((w) => {
    const where = [w.epoch ? `${minute(w.epoch)} UTC` : "", w.piece || ""]
      .filter(Boolean).join(", ");
    return el("li", {}, el("span", { class: `warning-kind ${w.kind}` }, w.kind),
      where ? ` ${where}: ` : " ", w.message);
  }));
  $("run-warnings").hidden = warnings.length === 0;
}

function follow(runId) {
  quiet();
  view += 1;
  const mine = view;
  $("report").hidden = true;
  $("run-error").hidden = true;
  showWarnings([]);
  showProgress(runId, "", "", 0);
  let delay = POLL_FIRST_MS;
  let streamed = false;  // whether the run was seen queued or running (and its events asked)
  let soon = false;      // whether the events said it ended: poll again at once

  const stream = () => {
    streamed = true;
    if (typeof EventSource !== "function") return;
    const source = new EventSource(`/api/runs/${runId}/events`);
    watching = source;
    source.addEventListener("progress", (event) => {
      const p = JSON.parse(event.data);
      if (mine === view) showProgress(runId, p.status, p.phase, p.fraction);
    });
    source.addEventListener("end", () => {
      source.close();
      if (watching === source) watching = null;
      if (mine !== view) return;
      soon = true;  // look now rather than at the next poll
      if (polling) {
        clearTimeout(polling);
        polling = setTimeout(poll, 0);
      }
    });
    source.addEventListener("error", () => {  // the polls carry on alone
      source.close();
      if (watching === source) watching = null;
    });
  };

  async function poll() {
    polling = null;
    let wait = delay;
    delay = Math.min(delay * POLL_GROWTH, POLL_MAX_MS);
    try {
      const answer = await fetch(`/api/runs/${runId}`, { cache: "no-store" });
      if (mine !== view) return;
      const hint = retryAfterMs(answer);
      if (hint !== null) wait = Math.max(wait, hint);
      const body = await answer.json().catch(() => null);
      if (mine !== view) return;
      if (answer.ok && body) {
        if (TERMINAL.has(body.status)) {
          quiet();
          if (streamed) loadRuns();
          showRun(body, mine).catch((problem) => {
            $("run-error").textContent = problem.message;
            $("run-error").hidden = false;
          });
          return;
        }
        if (!watching) {
          const p = body.progress || {};
          showProgress(runId, body.status, p.phase, p.fraction);
        }
        if (!streamed) stream();
      } else if (answer.status === 404) {
        quiet();
        showProgress(runId, "unknown", "", 0);
        $("run-error").textContent = body && body.error ? body.error.message
          : `no run ${runId}`;
        $("run-error").hidden = false;
        return;
      }
    } catch (problem) {
      // The server cannot be reached now (restarting?): try again, less often.
    }
    if (mine === view) polling = setTimeout(poll, soon ? 0 : wait);
    soon = false;
  }

  polling = setTimeout(poll, 0);
}

// --- the report ------------------------------------------------------------------------------
async function showRun(run, mine) {
  const runId = run.id;
  showProgress(runId, run.status, "", run.status === "done" ? 1 : 0);
  $("run-error").textContent = run.error || "";
  $("run-error").hidden = !run.error;
  showWarnings(run.warnings || []);
  if (run.status !== "done") return;
  const results = await call(`/api/runs/${runId}/results`);
  if (mine !== view) return;
  const files = Object.fromEntries(run.files.map((f) => [f.name, f.url]));
  $("report-title").textContent = `Report: ${results.title || results.scenario}`;
  $("report-summary").textContent =
    `${results.scenario}, ${minute(results.start)} to ${minute(results.end)} UTC; ` +
    `atmosphere ${results.settings.atmosphere}, space weather ${results.settings.space_weather}`;
  $("downloads").replaceChildren(...run.files.map((f) =>
    el("li", {}, el("a", { href: f.url, download: f.name }, f.name))));
  if (files["altitude.png"]) $("altitude-img").src = files["altitude.png"];
  $("station-figure").hidden = !files["station.png"];
  if (files["station.png"]) $("station-img").src = files["station.png"];
  renderParts(results.parts);
  renderCapabilities(results.parts);
  renderCrew(results.crew);
  $("report").hidden = false;
  drawMap(results, files["tracks.geojson"]);
}

function renderParts(parts) {
  fillTable($("parts-table"),
    ["piece", "mass [t]", "from", "status", "re-entry (90 % window)", "casualty risk",
     "decay at start [m/day]", "lost"],
    parts.map((p) => {
      const risk = p.reentry && p.reentry.risk;
      return [p.name, num(p.mass_kg / 1000, 1), day(p.since), p.status,
        p.reentry ? `${day(p.reentry.median)} (${day(p.reentry.p05)} .. ${day(p.reentry.p95)})`
          : "—",
        risk && risk.one_in ? `1 in ${num(risk.one_in)}` : "—",
        num(p.decay_m_per_day_at_start), (p.lost || []).join("; ") || "—"];
    }));
}

function renderCapabilities(parts) {
  fillTable($("capabilities-table"),
    ["piece", "Δv [m/s]", "reboost", "propulsion from", "CMG saturation in [h]",
     "desaturation", "power made / used [kW]", "seats"],
    parts.filter((p) => p.capabilities).map((p) => {
      const c = p.capabilities;
      return [p.name, num(c.propulsion.delta_v_m_s, 1), yesNo(c.propulsion.reboost_possible),
        c.propulsion.providers.join(", ") || "—",
        c.attitude.hours_to_cmg_saturation === null ? "never"
          : num(c.attitude.hours_to_cmg_saturation, 1),
        yesNo(c.attitude.desaturation),
        `${num(c.power_kw.generated, 1)} / ${num(c.power_kw.load, 1)}`, c.seats];
    }));
}

function renderCrew(crew) {
  fillTable($("crew-table"), ["name", "aboard", "can get home", "on", "next landing (UTC)",
    "note"],
  crew.map((m) => [m.name, m.aboard, yesNo(m.can_return), m.return_vehicle || "—",
    minute(m.landing), m.note || ""]));
}

// --- the map (equirectangular: x = lon + 180, y = 90 - lat, in degrees) ----------------------
const point = ([lon, lat]) => `${(lon + 180).toFixed(2)} ${(90 - lat).toFixed(2)}`;
const line = (coords, close) =>
  `M${coords.map(point).join("L")}${close ? "Z" : ""}`;

// A ground track as path data, broken where it crosses the antimeridian.
function splitTrack(lons, lats) {
  let d = "";
  for (let k = 0; k < lons.length; k += 1) {
    const jump = k > 0 && Math.abs(lons[k] - lons[k - 1]) > 180;
    d += `${k === 0 || jump ? "M" : "L"}${point([lons[k], lats[k]])}`;
  }
  return d;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function marker(map, lon, lat, shape, colour, title) {
  const [x, y] = [lon + 180, 90 - lat];
  let node;
  if (shape === "circle") {
    node = svg("circle", { cx: x, cy: y, r: 2.2, fill: colour, stroke: "#000",
                           "stroke-width": 0.3 });
  } else if (shape === "square") {
    node = svg("rect", { x: x - 1.6, y: y - 1.6, width: 3.2, height: 3.2, fill: "none",
                         stroke: colour, "stroke-width": 0.6 });
  } else {
    node = svg("path", { d: `M${x - 2} ${y - 2}L${x + 2} ${y + 2}M${x - 2} ${y + 2}L${x + 2} ${y - 2}`,
                         stroke: colour, "stroke-width": 0.7 });
  }
  node.append(svg("title", {}));
  node.lastChild.textContent = title;
  map.append(node);
}

async function drawMap(results, tracksUrl) {
  const map = $("map");
  map.replaceChildren(svg("rect", { x: 0, y: 0, width: 360, height: 180, class: "sea" }));
  if (!countries) countries = await call("/api/countries");
  const land = countries.features.map((f) => f.geometry.coordinates
    .map((polygon) => line(polygon[0], true)).join("")).join("");
  map.append(svg("path", { d: land, class: "land" }));
  const colour = Object.fromEntries(results.parts.map((p, k) => [p.name,
    COLOURS[k % COLOURS.length]]));
  $("map-legend").replaceChildren(...results.parts.map((p) => {
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = colour[p.name];
    return el("li", {}, swatch, p.name);
  }));
  const own = results.parts.filter((p) => p.ground_track && p.ground_track.lat_deg);
  for (const p of own) {
    const g = p.ground_track;
    map.append(svg("path", { d: splitTrack(g.lon_deg, g.lat_deg), class: "track",
                             stroke: colour[p.name] }));
  }
  if (!own.length && tracksUrl) {
    const tracks = await call(tracksUrl).catch(() => null);
    for (const f of tracks ? tracks.features : []) {
      const g = f.geometry;
      const stroke = colour[f.properties.piece] || "#555";
      const lines = g.type === "LineString" ? [g.coordinates]
        : g.type === "MultiLineString" ? g.coordinates : [];
      if (lines.length) {
        map.append(svg("path", { d: lines.map((c) => line(c, false)).join(""), class: "track",
                                 stroke }));
      }
    }
  }
  for (const p of results.parts) {
    if (p.reentry && p.reentry.lat_deg !== null && p.reentry.lat_deg !== undefined) {
      marker(map, p.reentry.lon_deg, p.reentry.lat_deg, "circle", colour[p.name],
        `${p.name} re-enters ${minute(p.reentry.median)} UTC`);
    }
    if (p.breakup && p.breakup.lat_deg !== null && p.breakup.lat_deg !== undefined) {
      marker(map, p.breakup.lon_deg, p.breakup.lat_deg, "cross", colour[p.name],
        `${p.name} breaks up ${minute(p.breakup.epoch)} UTC`);
    }
  }
  for (const [vehicle, chances] of Object.entries(results.landing_opportunities || {})) {
    for (const c of chances) {
      marker(map, c.lon_deg, c.lat_deg, "square", "#176b2c",
        `${vehicle}: landing chance ${minute(c.epoch)} UTC, ${c.zone}`);
    }
  }
}

// --- past runs -------------------------------------------------------------------------------
async function loadRuns() {
  const { runs } = await call("/api/runs?limit=50");
  fillTable($("runs-table"), ["created (UTC)", "scenario", "status", "finished (UTC)", ""],
    runs.map((r) => {
      const open = el("button", { type: "button", class: "open" }, "show");
      open.addEventListener("click", () => follow(r.id));
      const again = el("button", { type: "button", class: "reproduce" }, "run again");
      again.addEventListener("click", async () => {
        try {
          const run = await call(`/api/runs/${r.id}/reproduce`, { method: "POST" });
          follow(run.id);
          loadRuns();
        } catch (problem) {
          $("form-error").textContent = explain(problem);
          $("form-error").hidden = false;
        }
      });
      const status = el("span", { class: `status ${r.status}`, title: r.error || "" }, r.status);
      const name = r.uploaded ? `${r.name} (uploaded)` : r.name;
      return [minute(r.created), name, status, minute(r.finished), el("span", {}, open, again)];
    }));
}

loadScenarios().catch((problem) => {
  $("form-error").textContent = problem.message;
  $("form-error").hidden = false;
});
loadRuns();
