// The optimizer playground (chapters/playground.md): the path of an optimizer on a 2-D loss
// surface, drawn in plain SVG, with no network and no library.
//
// Part 1 is a port of lrkit.paths.run and the lrkit functions it calls (problems, optimizers,
// schedules, training.gradient_descent), in the same order of operations; the browser tests
// compare it with lrkit to 1e-9. Part 2 draws it. Jupyter Book loads this file on every page:
// it does nothing on a page without a <div class="playground">.
(function () {
  "use strict";

  // --- Part 1: the port of lrkit ---------------------------------------------------------

  const DIVERGENCE_LOSS = 1e12;  // lrkit.training.DIVERGENCE_LOSS

  // lrkit.paths.mulberry32: uniform draws in [0, 1)
  function mulberry32(seed, num) {
    let state = seed >>> 0;
    const draws = [];
    for (let i = 0; i < num; i++) {
      state = (state + 0x6D2B79F5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      draws.push(((t ^ (t >>> 14)) >>> 0) / 4294967296);
    }
    return draws;
  }

  // lrkit.paths.standard_normals: Box-Muller, one draw per pair of uniforms
  function standardNormals(seed, num) {
    const u = mulberry32(seed, 2 * num);
    return Array.from({length: num}, (_, i) =>
      Math.sqrt(-2.0 * Math.log(1.0 - u[2 * i])) * Math.cos(2.0 * Math.PI * u[2 * i + 1]));
  }

  // lrkit.problems.quadratic(curvatures=(1, condition_number), angle): H = R diag(h) R^T
  function quadratic(conditionNumber, angleDeg) {
    const h = [1.0, conditionNumber];
    const angle = angleDeg * Math.PI / 180;
    let H = [[h[0], 0.0], [0.0, h[1]]];
    if (angle !== 0.0) {
      const c = Math.cos(angle), s = Math.sin(angle);
      const R = [[c, -s], [s, c]];
      const RD = [[R[0][0] * h[0], R[0][1] * h[1]], [R[1][0] * h[0], R[1][1] * h[1]]];
      const RDRt = [0, 1].map((i) => [0, 1].map((j) => RD[i][0] * R[j][0] + RD[i][1] * R[j][1]));
      H = [0, 1].map((i) => [0, 1].map((j) => 0.5 * (RDRt[i][j] + RDRt[j][i])));
    }
    const grad = (x) => [x[0] * H[0][0] + x[1] * H[1][0], x[0] * H[0][1] + x[1] * H[1][1]];
    return {
      kind: "quadratic", curvatures: h, hessian: H, minimum: [0.0, 0.0], grad,
      loss: (x) => { const g = grad(x); return 0.5 * (g[0] * x[0] + g[1] * x[1]); },
      smoothness: Math.max(h[0], h[1]),  // lrkit.paths.smoothness
    };
  }

  // lrkit.problems.rosenbrock(a=1, b=100)
  function rosenbrock() {
    const a = 1.0, b = 100.0;
    const hessianAt = (u, v) => [2.0 - 4.0 * b * (v - u * u) + 8.0 * b * u * u, -4.0 * b * u,
                                 2.0 * b];
    const [duu, duv, dvv] = hessianAt(a, a * a);
    const half = (duu + dvv) / 2, radius = Math.sqrt(((duu - dvv) / 2) ** 2 + duv * duv);
    return {
      kind: "rosenbrock", a, b, minimum: [a, a * a],
      loss: ([u, v]) => (a - u) * (a - u) + b * (v - u * u) * (v - u * u),
      grad: ([u, v]) => [-2.0 * (a - u) - 4.0 * b * u * (v - u * u), 2.0 * b * (v - u * u)],
      smoothness: half + radius,  // the largest eigenvalue of the Hessian at the minimum
    };
  }

  function makeProblem(s) {  // lrkit.paths.make_problem
    return s.problem === "rosenbrock" ? rosenbrock() : quadratic(s.condition_number, s.angle_deg);
  }

  function stabilityLimits(L, beta) {  // lrkit.paths.stability_limits
    return {
      gd: 2.0 / L,
      heavy_ball: 2.0 * (1.0 + beta) / L,
      nesterov: 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * L),
    };
  }

  // lrkit.paths.noise_floor: sum_i 0.5 h_i V_i, V_i = lr s^2 / (h_i (2 - lr h_i)); null if unstable
  function noiseFloor(problem, lr, noiseStd) {
    if (problem.kind !== "quadratic" || lr * problem.smoothness >= 2.0) return null;
    if (noiseStd === 0) return 0.0;
    const h = problem.curvatures;
    const V = h.map((hi) => lr * noiseStd ** 2 / (hi * (2.0 - lr * hi)));
    return 0.5 * (h[0] * V[0] + h[1] * V[1]);
  }

  function makeSchedule(s) {  // lrkit.schedules: constant, step_decay, cosine_decay(final_lr=0)
    if (s.schedule === "step") {
      return (t) => s.gamma ** Math.floor(t / s.step_size) * s.lr;
    }
    if (s.schedule === "cosine") {
      return (t) => {
        const x = Math.cos(Math.min(t, s.num_steps) * Math.PI / s.num_steps);
        return (x + 1) * (s.lr - 0.0) / 2 + 0.0;
      };
    }
    return () => s.lr;
  }

  // lrkit.optimizers: x - lr * g (gradient_descent's own), momentum, nesterov, adam (torch forms)
  function makeOptimizer(s) {
    if (s.optimizer === "momentum" || s.optimizer === "nesterov") {
      const lookAhead = s.optimizer === "nesterov";
      return (x, g, state, lr) => {
        const v = state.count === 0 ? g : g.map((gi, i) => s.beta * state.v[i] + (1.0 - 0.0) * gi);
        const direction = lookAhead ? g.map((gi, i) => gi + s.beta * v[i]) : v;
        return [x.map((xi, i) => xi - lr * direction[i]), {count: state.count + 1, v}];
      };
    }
    if (s.optimizer === "adam") {
      const eps = 1e-8;
      return (x, g, state, lr) => {
        const t = state.count + 1;
        const m = g.map((gi, i) => s.beta1 * state.m[i] + (1.0 - s.beta1) * gi);
        const v = g.map((gi, i) => s.beta2 * state.v[i] + (1.0 - s.beta2) * (gi * gi));
        const stepSize = lr / (1.0 - s.beta1 ** t);
        const denom = v.map((vi) => Math.sqrt(vi) / Math.sqrt(1.0 - s.beta2 ** t) + eps);
        return [x.map((xi, i) => xi - stepSize * (m[i] / denom[i])), {count: t, m, v}];
      };
    }
    return (x, g, state, lr) => [x.map((xi, i) => xi - lr * g[i]), state];
  }

  // lrkit.paths.run -> lrkit.training.gradient_descent: stops at a non-finite value or a loss
  // above 1e12 (that loss is kept), and says diverged
  function run(s) {
    const problem = makeProblem(s), schedule = makeSchedule(s), update = makeOptimizer(s);
    const noise = s.noise_std > 0 ? standardNormals(s.seed, 2 * s.num_steps) : null;
    const finite = (values) => values.every(Number.isFinite);
    let x = [Number(s.x0[0]), Number(s.x0[1])];
    let state = {count: 0, v: [0.0, 0.0], m: [0.0, 0.0]};
    const xs = [x], losses = [problem.loss(x)], lrs = [];
    let diverged = false;
    for (let step = 0; step < s.num_steps; step++) {
      const lr = schedule(step);
      let g = problem.grad(x);
      if (noise) g = g.map((gi, i) => gi + s.noise_std * noise[2 * step + i]);
      if (!finite(g)) { diverged = true; break; }
      const [next, nextState] = update(x, g, state, lr);
      if (!finite(next)) { diverged = true; break; }
      const loss = problem.loss(next);
      if (!Number.isFinite(loss)) { diverged = true; break; }
      x = next; state = nextState;
      xs.push(x); losses.push(loss); lrs.push(lr);
      if (loss > DIVERGENCE_LOSS) { diverged = true; break; }
    }
    const limits = stabilityLimits(problem.smoothness, s.beta);
    return {xs, losses, lrs, diverged, smoothness: problem.smoothness, limits,
            noise_floor: noiseFloor(problem, s.lr, s.noise_std)};
  }

  // --- Part 2: the page --------------------------------------------------------------------

  const SVG_NS = "http://www.w3.org/2000/svg";
  const VIEW = {quadratic: {cx: 0.0, cy: 0.0, half: 2.2}, rosenbrock: {cx: 0.0, cy: 1.0, half: 2.2}};
  const LR_RANGE = [-4, 1];  // the rate slider's log10 range
  // Controls: [setting, label, kind, min, max, step]; "log" sliders hold log10 of the value.
  const CONTROLS = [
    ["lr", "learning rate", "log", LR_RANGE[0], LR_RANGE[1], 0.01],
    ["optimizer", "optimizer", "choice", [["gd", "gradient descent"], ["momentum", "momentum"],
                                          ["nesterov", "Nesterov"], ["adam", "Adam"]]],
    ["beta", "momentum β", "float", 0.01, 0.99, 0.01],
    ["beta1", "Adam β₁", "float", 0, 0.99, 0.01],
    ["beta2", "Adam β₂", "float", 0.5, 0.999, 0.001],
    ["problem", "loss surface", "choice", [["quadratic", "quadratic bowl"],
                                           ["rosenbrock", "Rosenbrock (non-convex)"]]],
    ["condition_number", "condition number (L / smallest curvature)", "log", 0, 3, 0.05],
    ["angle_deg", "valley angle (degrees)", "float", -90, 90, 5],
    ["x0_0", "start x", "float", -2, 2, 0.05],
    ["x0_1", "start y", "float", -2, 2, 0.05],
    ["num_steps", "steps", "int", 1, 500, 1],
    ["noise_std", "gradient noise σ", "float", 0, 3, 0.05, "noise"],
    ["seed", "noise seed", "int", 0, 99, 1, "noise"],
    ["schedule", "schedule", "choice", [["constant", "constant"], ["step", "step decay"],
                                        ["cosine", "cosine to 0"]], "noise"],
    ["step_size", "decay every (steps)", "int", 5, 250, 5, "noise"],
    ["gamma", "decay factor γ", "float", 0.05, 0.95, 0.05, "noise"],
  ];
  const SHOWN_WHEN = {  // a control is hidden when it has no effect
    condition_number: (s) => s.problem === "quadratic",
    angle_deg: (s) => s.problem === "quadratic",
    beta: (s) => s.optimizer === "momentum" || s.optimizer === "nesterov",
    beta1: (s) => s.optimizer === "adam",
    beta2: (s) => s.optimizer === "adam",
    seed: (s) => s.noise_std > 0,
    step_size: (s) => s.schedule === "step",
    gamma: (s) => s.schedule === "step",
  };

  function format(v, digits = 4) {
    if (v === 0) return "0";
    if (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) {
      return v.toExponential(digits - 1).replace(/\.?0+e/, "e");
    }
    return String(Number(v.toPrecision(digits)));
  }

  function el(tag, attrs = {}, parent = null, ns = null) {
    const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "text") node.textContent = value; else node.setAttribute(key, value);
    }
    if (parent) parent.appendChild(node);
    return node;
  }
  const svgEl = (tag, attrs, parent) => el(tag, attrs, parent, SVG_NS);

  // a setting <-> its slider position
  function toSlider(kind, value) { return kind === "log" ? Math.log10(value) : value; }
  function fromSlider(kind, position) {
    const x = Number(position);
    return kind === "log" ? Number((10 ** x).toPrecision(3)) : x;
  }

  // A panel: spec = {defaults: settings it opens with, noise: whether it has the noise controls}
  function Panel(root, spec) {
    const s = JSON.parse(JSON.stringify(spec.defaults));
    const id = root.id;
    const get = (key) => (key.startsWith("x0_") ? s.x0[Number(key[3])] : s[key]);
    const set = (key, v) => { if (key.startsWith("x0_")) s.x0[Number(key[3])] = v; else s[key] = v; };

    const figure = el("div", {class: "pg-figure"}, root);
    const plots = el("div", {class: "pg-plots"}, figure);
    const surface = svgEl("svg", {viewBox: "0 0 400 400", class: "pg-surface", role: "img",
                                  "aria-label": "loss contours and the optimizer's path"}, plots);
    const lossPlot = svgEl("svg", {viewBox: "0 0 400 230", class: "pg-loss", role: "img",
                                   "aria-label": "loss against step, log scale"}, plots);
    const side = el("div", {class: "pg-side"}, figure);
    const status = el("p", {class: "pg-status", "aria-live": "polite"}, side);
    const rate = svgEl("svg", {viewBox: "0 0 260 50", class: "pg-rate", role: "img",
                               "aria-label": "the learning rate against the stability limit"},
                       side);
    const limitsBox = el("div", {class: "pg-limits"}, side);
    const controls = el("div", {class: "pg-controls"}, side);
    const check = el("p", {class: "pg-check"}, root);
    const inputs = {};

    for (const control of CONTROLS) {
      const [key, label, kind, a, b, step] = control;
      const only = control[kind === "choice" ? 4 : 6];  // "noise": only on the noise panel
      if (only === "noise" && !spec.noise) continue;
      const wrap = el("label", {"data-setting": key}, controls);
      const head = el("span", {}, wrap);
      head.textContent = label + " ";
      let input;
      if (kind === "choice") {
        input = el("select", {name: key}, wrap);
        for (const [value, text] of a) el("option", {value, text}, input);
        input.value = get(key);
      } else {
        const out = el("output", {name: key + "_value"}, head);
        input = el("input", {type: "range", name: key, min: a, max: b, step}, wrap);
        input.value = toSlider(kind, get(key));
        out.textContent = format(get(key));
      }
      input.addEventListener("input", () => {
        const value = kind === "choice" ? input.value : fromSlider(kind, input.value);
        set(key, value);
        if (kind !== "choice") wrap.querySelector("output").textContent = format(value);
        draw();
      });
      inputs[key] = {input, wrap, kind};
    }

    surface.addEventListener("click", (event) => {  // a click moves the start point
      const box = surface.getBoundingClientRect();
      const view = VIEW[s.problem];
      const toData = (p, size) => (p / size - 0.5) * 2 * view.half;
      const snap = (v) => Math.max(-2, Math.min(2, Math.round(v / 0.05) * 0.05));
      const x = snap(view.cx + toData(event.clientX - box.left, box.width));
      const y = snap(view.cy - toData(event.clientY - box.top, box.height));
      for (const [key, v] of [["x0_0", x], ["x0_1", y]]) {
        set(key, Number(v.toFixed(2)));
        inputs[key].input.value = get(key);
        inputs[key].wrap.querySelector("output").textContent = format(get(key));
      }
      draw();
    });

    let result = null;

    function drawSurface(problem) {
      surface.replaceChildren();
      const view = VIEW[s.problem];
      const px = (x) => 200 + (x - view.cx) / view.half * 200;
      const py = (y) => 200 - (y - view.cy) / view.half * 200;
      const clip = svgEl("clipPath", {id: id + "-clip"}, svgEl("defs", {}, surface));
      svgEl("rect", {x: 0, y: 0, width: 400, height: 400}, clip);
      const g = svgEl("g", {"clip-path": `url(#${id}-clip)`}, surface);
      svgEl("rect", {x: 0.5, y: 0.5, width: 399, height: 399, class: "pg-frame"}, g);
      if (problem.kind === "quadratic") {  // ellipses: semi-axes sqrt(2 c / h)
        const tilt = -s.angle_deg;
        for (let k = 0; k < 8; k++) {
          const c = 4.0 / 2 ** k;
          svgEl("ellipse", {cx: px(0), cy: py(0), class: "pg-contour",
                            rx: Math.sqrt(2 * c / problem.curvatures[0]) / view.half * 200,
                            ry: Math.sqrt(2 * c / problem.curvatures[1]) / view.half * 200,
                            transform: `rotate(${tilt} ${px(0)} ${py(0)})`}, g);
        }
      } else {  // Rosenbrock: y = x^2 +- sqrt((c - (a - x)^2) / b)
        for (const c of [0.25, 1, 4, 16, 64, 256, 1024]) {
          const r = Math.sqrt(c), n = 120, upper = [], lower = [];
          for (let i = 0; i <= n; i++) {
            const x = problem.a - r + 2 * r * i / n;
            const w = Math.sqrt(Math.max(c - (problem.a - x) ** 2, 0) / problem.b);
            upper.push(`${px(x).toFixed(1)},${py(x * x + w).toFixed(1)}`);
            lower.push(`${px(x).toFixed(1)},${py(x * x - w).toFixed(1)}`);
          }
          const points = upper.concat(lower.reverse());
          svgEl("path", {d: "M" + points.join("L") + "Z", class: "pg-contour"}, g);
        }
      }
      const [mx, my] = problem.minimum;
      svgEl("path", {d: `M${px(mx) - 6},${py(my)}h12M${px(mx)},${py(my) - 6}v12`,
                     class: "pg-minimum"}, g);
      const shown = result.xs.map(([x, y]) => [px(x), py(y)])
        .map(([x, y]) => [Math.max(-1e4, Math.min(1e4, x)), Math.max(-1e4, Math.min(1e4, y))]);
      svgEl("polyline", {points: shown.map((p) => p.join(",")).join(" "),
                         class: "pg-path" + (result.diverged ? " pg-bad" : "")}, g);
      if (shown.length <= 120) {
        for (const [x, y] of shown.slice(1)) svgEl("circle", {cx: x, cy: y, r: 2.2, class: "pg-dot"}, g);
      }
      svgEl("circle", {cx: shown[0][0], cy: shown[0][1], r: 5, class: "pg-start"}, g);
      svgEl("text", {x: 6, y: 392, class: "pg-note",
                     text: "click to move the start; + is the minimum"}, surface);
    }

    function drawLoss() {
      lossPlot.replaceChildren();
      const M = {left: 52, right: 10, top: 24, bottom: 34}, W = 400, H = 230;
      const floor = spec.noise && s.optimizer === "gd" ? result.noise_floor : null;
      const shownLosses = result.losses.map((v) => Math.max(v, 1e-16));
      let lo = Math.floor(Math.log10(Math.min(...shownLosses, floor || Infinity)));
      let hi = Math.ceil(Math.log10(Math.max(...shownLosses)));
      if (hi <= lo) hi = lo + 1;
      const px = (t) => M.left + t / Math.max(s.num_steps, 1) * (W - M.left - M.right);
      const py = (v) => H - M.bottom - (Math.log10(v) - lo) / (hi - lo) * (H - M.top - M.bottom);
      const every = Math.ceil((hi - lo) / 6);
      for (let k = lo; k <= hi; k += every) {
        svgEl("line", {x1: M.left, x2: W - M.right, y1: py(10 ** k), y2: py(10 ** k),
                       class: "pg-grid"}, lossPlot);
        svgEl("text", {x: M.left - 4, y: py(10 ** k) + 4, "text-anchor": "end",
                       text: "1e" + k}, lossPlot);
      }
      for (const t of [0, s.num_steps]) {
        svgEl("text", {x: px(t), y: H - M.bottom + 14, "text-anchor": "middle", text: t}, lossPlot);
      }
      svgEl("text", {x: (M.left + W) / 2, y: H - 4, "text-anchor": "middle",
                     text: "step"}, lossPlot);
      svgEl("text", {x: 12, y: (H - M.bottom) / 2, "text-anchor": "middle",
                     transform: `rotate(-90 12 ${(H - M.bottom) / 2})`, text: "loss"}, lossPlot);
      if (floor) {
        svgEl("line", {x1: M.left, x2: W - M.right, y1: py(floor), y2: py(floor),
                       class: "pg-floor"}, lossPlot);
        svgEl("line", {x1: W - 200, x2: W - 176, y1: 10, y2: 10, class: "pg-floor"}, lossPlot);
        svgEl("text", {x: W - 170, y: 14, class: "pg-floor-label",
                       text: "noise floor, constant rate"}, lossPlot);
      }
      const points = shownLosses.map((v, t) => `${px(t).toFixed(2)},${py(v).toFixed(2)}`);
      svgEl("polyline", {points: points.join(" "),
                         class: "pg-path" + (result.diverged ? " pg-bad" : "")}, lossPlot);
    }

    // the rate on a log axis, and the region past the chosen optimizer's limit
    function drawRate() {
      rate.replaceChildren();
      const [lo, hi] = LR_RANGE, left = 12, right = 12, y = 28;
      const px = (v) => left + (Math.log10(v) - lo) / (hi - lo) * (260 - left - right);
      const key = {gd: "gd", momentum: "heavy_ball", nesterov: "nesterov"}[s.optimizer];
      const limit = key ? result.limits[key] : null;
      if (limit !== null) {
        const x = Math.min(Math.max(px(limit), left), 260 - right);
        svgEl("rect", {x, y: y - 8, width: 260 - right - x, height: 16, class: "pg-unstable"},
              rate);
        svgEl("line", {x1: x, x2: x, y1: y - 10, y2: y + 8, class: "pg-limit-mark",
                       "data-value": limit}, rate);
        const formula = {gd: "2/L", heavy_ball: "2(1+β)/L", nesterov: "Nesterov's limit"}[key];
        svgEl("text", {x, y: 10, "text-anchor": x > 190 ? "end" : "middle",
                       text: formula + " = " + format(limit)}, rate);
      }
      svgEl("line", {x1: left, x2: 260 - right, y1: y, y2: y, class: "pg-grid-axis"}, rate);
      for (let k = lo; k <= hi; k++) {
        svgEl("text", {x: px(10 ** k), y: 48, "text-anchor": "middle",
                       text: k === 0 ? "1" : k === 1 ? "10" : "1e" + k}, rate);
      }
      const above = limit !== null && s.lr >= limit;
      svgEl("circle", {cx: px(s.lr), cy: y, r: 5, "data-value": s.lr,
                       class: "pg-lr" + (above ? " pg-bad" : "")}, rate);
    }

    function drawLimits(problem) {
      limitsBox.replaceChildren();
      const where = problem.kind === "quadratic" ? "the largest curvature"
        : "the largest curvature at the minimum; it grows away from it";
      el("p", {class: "pg-limit-l", text: `L = ${format(problem.smoothness)} (${where})`},
         limitsBox);
      const rows = [
        ["gd", "2/L", "gradient descent", "gd"],
        ["heavy_ball", "2(1+β)/L", "heavy-ball momentum", "momentum"],
        ["nesterov", "2(1+β)/((1+2β)L)", "Nesterov", "nesterov"],
      ];
      const list = el("ul", {}, limitsBox);
      for (const [key, formula, who, optimizer] of rows) {
        const limit = result.limits[key];
        const above = s.lr >= limit, current = s.optimizer === optimizer;
        const item = el("li", {"data-limit": key, class: (above ? "pg-above" : "pg-below") +
                               (current ? " pg-current" : "")}, list);
        item.textContent = `${formula} = ${format(limit)} (${who}): lr is ` +
          (above ? "above ✗" : "below ✓");
      }
      if (s.optimizer === "adam") {
        el("p", {text: "Adam's step is about lr per coordinate whatever the curvature: " +
                       "these limits do not apply to it."}, limitsBox);
      }
      if (spec.noise && result.noise_floor !== null && s.optimizer === "gd") {
        el("p", {"data-noise-floor": "", text: "noise floor of a constant rate (expected " +
                 `excess loss): ${format(result.noise_floor)}`}, limitsBox);
      }
    }

    function draw() {
      for (const [key, test] of Object.entries(SHOWN_WHEN)) {
        if (inputs[key]) inputs[key].wrap.hidden = !test(s);
      }
      const problem = makeProblem(s);
      result = run(s);
      drawSurface(problem);
      drawLoss();
      drawRate();
      drawLimits(problem);
      const steps = result.lrs.length, last = result.losses[result.losses.length - 1];
      const growing = !result.diverged && s.noise_std === 0 && last > result.losses[0];
      status.textContent = `lr = ${format(s.lr)}: ` + (result.diverged
        ? `diverged at step ${steps} (loss ${format(last)})`
        : `loss ${format(last)} after ${steps} steps` + (growing ? ", diverging" : ""));
      status.className = "pg-status" + (result.diverged || growing ? " pg-bad" : "");
    }

    draw();
    return {root, check, current: () => ({settings: JSON.parse(JSON.stringify(s)), ...result})};
  }

  // --- the self-check: the port against lrkit's numbers, embedded when the book was built ----

  function selfCheck(references) {
    const failures = [];
    const close = (a, b) => a === b || Math.abs(a - b) <= 1e-9 * Math.abs(b);
    for (const [i, ref] of references.entries()) {
      const got = run(ref.settings);
      const bad = (what) => failures.push(`setting ${i}: ${what}`);
      if (got.diverged !== ref.diverged) bad("diverged");
      if (got.losses.length !== ref.losses.length) { bad("length"); continue; }
      if (!got.losses.every((v, k) => close(v, ref.losses[k]))) bad("losses");
      if (!got.lrs.every((v, k) => close(v, ref.lrs[k]))) bad("lrs");
      if (!got.xs.flat().every((v, k) => close(v, ref.xs.flat()[k]))) bad("path");
      for (const key of Object.keys(ref.limits)) {
        if (!close(got.limits[key], ref.limits[key])) bad("limit " + key);
      }
    }
    return failures;
  }

  function start() {
    const roots = document.querySelectorAll("div.playground[data-panel]");
    if (!roots.length) return;
    // the panels' defaults and lrkit's reference runs, written by the page's notebook cells
    const data = JSON.parse(document.getElementById("playground-data").textContent);
    const references = data.references;
    const panels = {};
    for (const root of roots) {
      panels[root.dataset.panel] = Panel(root, data.panels[root.dataset.panel]);
    }
    const failures = selfCheck(references);
    for (const panel of Object.values(panels)) {
      panel.check.textContent = !references.length
        ? "No reference values from lrkit were found on this page."
        : failures.length
          ? `The JavaScript disagrees with lrkit: ${failures.join("; ")}.`
          : `Checked when the page loaded: this JavaScript equals lrkit on ` +
            `${references.length} settings (paths, losses, rates and limits, to 1e-9).`;
      panel.check.classList.toggle("pg-bad", failures.length > 0 || !references.length);
    }
    window.playground = {
      run, stabilityLimits, standardNormals, mulberry32, failures,
      current: (name) => panels[name].current(),
      spec: {panels: data.panels, controls: CONTROLS},
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
