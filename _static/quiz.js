// Self-check quizzes (jupyterquiz, rendered by lrkit.quizrender.show_self_checks):
// - a language switch (English / 中文) that applies to every quiz and answer tab on every page
//   and is remembered (the same localStorage key as sphinx-design's synced "lang" tabs);
// - a running score per page: first tries right out of questions answered, kept in
//   localStorage, with a reset button;
// - numeric replies as readers type them: full-width digits, a decimal comma, "×10^".
(function () {
  "use strict";
  var LANG_KEY = "sphinx-design-tab-id-lang"; // shared with the interview page's tabs
  var SCORE_KEY = "lrbook-quiz-score:" + window.location.pathname;
  var TEXT = {
    en: { score: "Score", detail: "first tries right / answered", reset: "Reset score" },
    zh: { score: "得分", detail: "首次答对 / 已答", reset: "重置得分" },
  };

  function load(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value === null ? fallback : value;
    } catch (err) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (err) {
      // storage unavailable: the page still works, nothing is remembered
    }
  }

  function currentLang() {
    return load(LANG_KEY, "en") === "zh" ? "zh" : "en";
  }

  function readScore() {
    try {
      var parsed = JSON.parse(load(SCORE_KEY, "{}"));
      return parsed && typeof parsed === "object" ? parsed : {};
    } catch (err) {
      return {};
    }
  }

  function questionKey(quiz) {
    var block = quiz.closest("[data-lrq-block]");
    var lang = block ? block.getAttribute("data-lrq-block") : "en";
    var all = Array.prototype.slice.call(
      document.querySelectorAll('[data-lrq-block="' + lang + '"] .Quiz')
    );
    return lang + ":" + all.indexOf(quiz);
  }

  function verdict(quiz) {
    var feedback = quiz.querySelector(".Feedback");
    if (!feedback) return null;
    if (feedback.classList.contains("correct")) return 1;
    if (feedback.classList.contains("incorrect")) return 0;
    return null;
  }

  function record(quiz) {
    var result = verdict(quiz);
    if (result === null) return;
    var score = readScore();
    var key = questionKey(quiz);
    if (!(key in score)) {
      score[key] = result;
      save(SCORE_KEY, JSON.stringify(score));
    }
    showScore();
  }

  function showScore() {
    var bar = document.querySelector(".lrq-bar");
    if (!bar) return;
    var lang = currentLang();
    var score = readScore();
    var answered = 0;
    var right = 0;
    Object.keys(score).forEach(function (key) {
      if (key.indexOf(lang + ":") === 0) {
        answered += 1;
        right += score[key];
      }
    });
    var text = TEXT[lang];
    var counts = right + "/" + answered;
    bar.querySelector(".lrq-score").textContent =
      lang === "zh"
        ? text.score + "：" + counts + "（" + text.detail + "）"
        : text.score + ": " + counts + " (" + text.detail + ")";
    bar.querySelector(".lrq-reset").textContent = text.reset;
  }

  function setLang(lang, fromTabs) {
    save(LANG_KEY, lang);
    document.documentElement.setAttribute("data-lrq-lang", lang);
    document.querySelectorAll(".lrq-bar button[data-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-lang") === lang));
    });
    if (!fromTabs) {
      var label = document.querySelector(
        '.sd-tab-label[data-sync-group="lang"][data-sync-id="' + lang + '"]'
      );
      var input = label && document.getElementById(label.getAttribute("for"));
      if (input && !input.checked) label.click();
    }
    showScore();
  }

  function addBar() {
    var first = document.querySelector("[data-lrq-block]");
    if (!first) return;
    var cell = first.closest(".cell") || first.parentElement;
    var bar = document.createElement("div");
    bar.className = "lrq-bar";
    bar.innerHTML =
      '<span class="lrq-switch">' +
      '<button type="button" data-lang="en">English</button>' +
      '<button type="button" data-lang="zh" lang="zh">中文</button></span>' +
      '<span class="lrq-score" aria-live="polite"></span>' +
      '<button type="button" class="lrq-reset"></button>';
    cell.parentNode.insertBefore(bar, cell);
    bar.querySelectorAll("button[data-lang]").forEach(function (button) {
      button.addEventListener("click", function () {
        setLang(button.getAttribute("data-lang"), false);
      });
    });
    bar.querySelector(".lrq-reset").addEventListener("click", function () {
      save(SCORE_KEY, "{}");
      showScore();
    });
  }

  // A numeric reply as typed: full-width characters, decimal comma, "×10^" exponent.
  function normalizeNumber(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      out += code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0) : text[i];
    }
    out = out.replace(/\s+/g, "").replace(/\u2212/g, "-").replace(/[×x*]10\^/g, "e");
    if (/^[+-]?\d+,\d+(e[+-]?\d+)?$/i.test(out)) out = out.replace(",", ".");
    return out;
  }

  document.addEventListener(
    "keypress",
    function (event) {
      var input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.classList.contains("Input-text")) return;
      if (event.key === "Enter" || event.keyCode === 13) {
        input.value = normalizeNumber(input.value);
        var quiz = input.closest(".Quiz");
        window.setTimeout(function () {
          if (quiz) record(quiz);
        }, 0);
      } else {
        event.stopPropagation(); // let any character be typed; it is checked on Enter
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var quiz = target && target.closest(".Quiz");
    if (!quiz || !target.closest(".MCButton, .Answer label, .Answer input")) return;
    window.setTimeout(function () {
      record(quiz);
    }, 0);
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || !target.closest(".sd-tab-set")) return;
    window.setTimeout(function () {
      var lang = currentLang();
      if (document.documentElement.getAttribute("data-lrq-lang") !== lang) setLang(lang, true);
    }, 0);
  });

  function start() {
    addBar();
    setLang(currentLang(), false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
