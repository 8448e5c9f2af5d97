// The rate picker of chapter 10 (section "Choose a rate"): the reader chooses one of the runs
// that the chapter's notebook computed when the book was built, embedded in the page as JSON
// (<script id="eos-curves">). It does no physics: it draws the chosen run's curves in plain
// SVG and prints its precomputed numbers. Jupyter Book loads this file on every page: it does
// nothing on a page without <div id="eos-picker">.
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const H = 190;  // each panel's height; its width W follows the page's (1 unit = 1 px)
  let W = 360;
  const M = {left: 44, right: 18, top: 24, bottom: 34};

  function el(tag, attrs = {}, parent = null, ns = null) {
    const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "text") node.textContent = value; else node.setAttribute(key, value);
    }
    if (parent) parent.appendChild(node);
    return node;
  }
  const svgEl = (tag, attrs, parent) => el(tag, attrs, parent, SVG_NS);

  // a tick step of 1, 2 or 5 times a power of ten, for about `count` steps over `span`
  function tickStep(span, count) {
    const raw = span / count, power = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
  }
  const multiples = (step, hi) =>
    Array.from({length: Math.floor(hi / step + 1e-9) + 1}, (_, i) => i * step);
  const decade = (k) => (k >= -3 && k <= 3 ? String(10 ** k) : "1e" + k);  // fits the margin

  // A panel: an <svg> with axes; its scales are written on it as data attributes, so the
  // tests can map the drawn points back to values
  function Panel(svg, xMax, yDomain, log) {
    svg.replaceChildren();
    const xRange = [M.left, W - M.right], yRange = [H - M.bottom, M.top];
    const f = log ? Math.log10 : (v) => v;
    const [y0, y1] = yDomain.map(f);
    const px = (t) => xRange[0] + t / xMax * (xRange[1] - xRange[0]);
    const py = (v) => yRange[0] + (f(v) - y0) / (y1 - y0) * (yRange[1] - yRange[0]);
    svg.dataset.xDomain = `0 ${xMax}`;
    svg.dataset.xRange = xRange.join(" ");
    svg.dataset.yDomain = yDomain.join(" ");
    svg.dataset.yRange = yRange.join(" ");
    svg.dataset.yScale = log ? "log" : "linear";
    const clip = svgEl("clipPath", {id: svg.id + "-clip"}, svgEl("defs", {}, svg));
    svgEl("rect", {x: xRange[0] - 3, y: yRange[1] - 3, width: xRange[1] - xRange[0] + 6,
                   height: yRange[0] - yRange[1] + 6}, clip);  // room for the end dots
    const plot = svgEl("g", {"clip-path": `url(#${svg.id}-clip)`}, svg);
    for (const t of multiples(tickStep(xMax, 5), xMax)) {
      svgEl("text", {x: px(t), y: H - M.bottom + 15, "text-anchor": "middle", text: t}, svg);
    }
    svgEl("text", {x: (xRange[0] + xRange[1]) / 2, y: H - 3, "text-anchor": "middle",
                   text: "step"}, svg);
    const yTicks = log
      ? Array.from({length: y1 - y0 + 1}, (_, i) => 10 ** (y0 + i))
      : multiples(tickStep(yDomain[1], 5), yDomain[1]);
    for (const v of yTicks) {
      svgEl("line", {x1: xRange[0], x2: xRange[1], y1: py(v), y2: py(v), class: "eos-grid"},
            svg);
      svgEl("text", {x: xRange[0] - 5, y: py(v) + 4, "text-anchor": "end",
                     text: log ? decade(Math.round(Math.log10(v))) : v}, svg);
    }
    const line = (xs, ys, cls) => svgEl("polyline", {
      class: cls, points: xs.map((x, i) => `${px(x)},${py(ys[i])}`).join(" ")}, plot);
    return {svg, plot, px, py, line};
  }

  function legend(svg, items) {  // in the top margin, clear of the data: [[class, text]]
    let x = M.left;
    for (const [cls, text] of items) {
      svgEl("line", {x1: x, x2: x + 22, y1: 11, y2: 11, class: cls}, svg);
      svgEl("text", {x: x + 27, y: 15, text}, svg);
      x += 27 + 8 * text.length + 14;  // about 8 px a character at 14 px
    }
  }

  function drawSharpness(svg, run) {
    const s = run.summary;
    const highest = 1.15 * Math.max(s.max_sharpness, s.final_limit);
    const step = tickStep(highest, 5), yMax = Math.ceil(highest / step) * step;
    const p = Panel(svg, run.num_steps, [0, yMax], false);
    p.line(run.limit_steps, run.limits, "eos-limit");
    p.line(run.sharpness_steps, run.sharpness, "eos-sharpness");
    run.sharpness_steps.forEach((t, i) => svgEl(
      "circle", {cx: p.px(t), cy: p.py(run.sharpness[i]), r: 2.2, class: "eos-dot"}, p.plot));
    legend(svg, [["eos-sharpness", "sharpness λ_max"], ["eos-limit", "2/η(t)"]]);
    if (run.diverged) diverged(svg, p, run.summary.diverged_at);
  }

  function drawLoss(svg, run) {
    const lo = Math.floor(Math.log10(Math.min(...run.losses)));
    const hi = Math.max(Math.ceil(Math.log10(Math.max(...run.losses))), lo + 1);
    const p = Panel(svg, run.num_steps, [10 ** lo, 10 ** hi], true);
    const steps = run.losses.map((_, t) => t);
    p.line(steps, run.losses, "eos-loss" + (run.diverged ? " eos-bad" : ""));
    legend(svg, [["eos-loss" + (run.diverged ? " eos-bad" : ""), "loss (log scale)"]]);
    if (run.diverged) diverged(svg, p, steps.length - 1);
  }

  function diverged(svg, p, step) {  // a note beside the last step of a run that blew up
    svgEl("text", {x: p.px(step) + 8, y: M.top + 14, class: "eos-bad",
                   text: `diverged at step ${step}`}, svg);
  }

  // the numbers beside the plot: [key, label, format], all precomputed in the notebook
  const fixed = (digits) => (v) => v.toFixed(digits);
  const significant = (v) => (v >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3))));
  const NUMBERS = [
    ["final_limit", "2/η at the end", significant],
    ["lambda_0", "λ₀, the sharpness at step 0", fixed(2)],
    ["max_sharpness", "largest sharpness", fixed(2)],
    ["late_mean", "mean sharpness, steps ", fixed(2)],
    ["late_ratio", "that mean × η/2", fixed(3)],
    ["final_loss", "final loss", significant],
    ["diverged_at", "diverged at step", String],
    ["last_loss", "loss when it stopped", significant],
  ];

  function start() {
    const root = document.getElementById("eos-picker");
    const source = document.getElementById("eos-curves");
    if (!root || !source) return;
    const runs = JSON.parse(source.textContent);
    const choice = el("fieldset", {class: "eos-choice"}, root);
    el("legend", {text: "Run (seed 0)"}, choice);
    for (const [key, run] of Object.entries(runs)) {
      const label = el("label", {}, choice);
      el("input", {type: "radio", name: "eos-run", value: key}, label);
      label.append(run.label);
    }
    const body = el("div", {class: "eos-body"}, root);
    const plots = el("div", {class: "eos-plots"}, body);
    const top = svgEl("svg", {id: "eos-sharpness-plot", role: "img"}, plots);
    const bottom = svgEl("svg", {id: "eos-loss-plot", role: "img"}, plots);
    const numbers = el("dl", {class: "eos-numbers", "aria-live": "polite"}, body);
    let current = null;

    function choose(key) {
      const run = runs[key];
      if (!run) throw new Error(`eosPicker: no run "${key}"`);
      current = key;
      choice.querySelector(`input[value="${key}"]`).checked = true;
      W = Math.min(Math.max(plots.clientWidth || 360, 280), 640);
      for (const svg of [top, bottom]) svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
      drawSharpness(top, run);
      drawLoss(bottom, run);
      top.setAttribute("aria-label", `Sharpness against step, ${run.label}, with 2/η(t) dashed`);
      bottom.setAttribute("aria-label", `Loss against step on a log scale, ${run.label}`);
      numbers.replaceChildren();
      el("dt", {text: "rate η"}, numbers);
      el("dd", {"data-key": "rate", text: run.rate}, numbers);
      const s = run.summary;
      for (const [name, label, format] of NUMBERS) {
        if (s[name] === null) continue;
        const window = name === "late_mean" ? s.late_window.join("–") : "";
        el("dt", {text: label + window}, numbers);
        el("dd", {"data-key": name, "data-value": s[name], text: format(s[name]),
                  class: name === "diverged_at" ? "eos-bad" : ""}, numbers);
      }
    }

    choice.addEventListener("change", (event) => choose(event.target.value));
    choose(Object.keys(runs)[0]);
    // redraw at the new width when the column's width changes (a phone turned sideways)
    new ResizeObserver(() => {
      if (Math.min(Math.max(plots.clientWidth, 280), 640) !== W) choose(current);
    }).observe(plots);
    window.eosPicker = {choose, state: () => ({key: current, run: runs[current]})};
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
