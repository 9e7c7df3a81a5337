/* Survey pages: show and hide questions as answers change, by the same rules as the server
   (surveys/evaluate.py and surveys/answers.py). The page works without this script; the
   server re-evaluates every condition and refuses answers to hidden questions.

   The page carries its conditions in <script type="application/json" id="survey-logic">
   (surveys/client.py). Values: null, Num (exact decimal), string, DateValue, code arrays. */
(function () {
  "use strict";

  function Num(mantissa, exponent) { this.m = mantissa; this.e = exponent; }

  var NUMBER_RE = /^([+-]?)([0-9]+)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

  function toNum(value) {
    if (value instanceof Num) { return value; }
    if (typeof value === "boolean") { return new Num(BigInt(value ? 1 : 0), 0); }
    var match = NUMBER_RE.exec(String(value));
    if (!match) { return null; }
    var fraction = match[3] || "";
    var mantissa = BigInt(match[2] + fraction);
    return new Num(match[1] === "-" ? -mantissa : mantissa,
                   parseInt(match[4] || "0", 10) - fraction.length);
  }

  function compareNum(a, b) {
    var e = Math.min(a.e, b.e);
    var x = a.m * (BigInt(10) ** BigInt(a.e - e));
    var y = b.m * (BigInt(10) ** BigInt(b.e - e));
    return x < y ? -1 : (x > y ? 1 : 0);
  }

  function DateValue(text) { this.text = text; }

  var DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

  function parseDate(text) {
    var match = DATE_RE.exec(text);
    if (!match) { return null; }
    var year = +match[1], month = +match[2], day = +match[3];
    var leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    var days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    return year >= 1 && days !== undefined && day >= 1 && day <= days ? new DateValue(text) : null;
  }

  function compareText(a, b) {  // by code point, as Python compares str
    var x = Array.from(a), y = Array.from(b), n = Math.min(x.length, y.length);
    for (var i = 0; i < n; i++) {
      var p = x[i].codePointAt(0), q = y[i].codePointAt(0);
      if (p !== q) { return p < q ? -1 : 1; }
    }
    return x.length === y.length ? 0 : (x.length < y.length ? -1 : 1);
  }

  function isEmpty(value) {
    return value === null || value === undefined || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  function literal(node) {
    if ("dec" in node) { return toNum(node.dec); }
    var value = node.lit;
    return typeof value === "number" ? toNum(String(value)) : value;
  }

  function operand(node, answers, self) {
    if ("lit" in node || "dec" in node) { return literal(node); }
    if ("self" in node) { return isEmpty(self) ? null : self; }
    if (node.fn === "count-selected") {
      var selected = answers[node.var];
      return toNum(String(isEmpty(selected) ? 0 : Array.from(selected).length));
    }
    if ("var" in node && !("fn" in node)) {
      var value = answers[node.var];
      return isEmpty(value) ? null : value;
    }
    return evaluate(node, answers, self);
  }

  function ordered(op, sign) {
    return {"=": sign === 0, "!=": sign !== 0, "<": sign < 0, "<=": sign <= 0,
            ">": sign > 0, ">=": sign >= 0}[op];
  }

  function sameSet(a, b, op) {
    var inB = a.every(function (x) { return b.indexOf(x) >= 0; });
    var inA = b.every(function (x) { return a.indexOf(x) >= 0; });
    return {"=": inA && inB, "!=": !(inA && inB), "<=": inB, "<": inB && !inA,
            ">=": inA, ">": inA && !inB}[op];
  }

  function compare(op, left, right) {
    if (left === null || right === null) { return false; }
    if (left instanceof DateValue && typeof right === "string") { right = parseDate(right); }
    else if (right instanceof DateValue && typeof left === "string") { left = parseDate(left); }
    if (left === null || right === null) { return false; }
    var leftNumber = left instanceof Num || typeof left === "boolean";
    var rightNumber = right instanceof Num || typeof right === "boolean";
    if (leftNumber !== rightNumber) { return false; }
    if (leftNumber) { return ordered(op, compareNum(toNum(left), toNum(right))); }
    if (typeof left === "string" && typeof right === "string") {
      return ordered(op, compareText(left, right));
    }
    if (left instanceof DateValue && right instanceof DateValue) {
      return ordered(op, compareText(left.text, right.text));
    }
    if (Array.isArray(left) && Array.isArray(right)) { return sameSet(left, right, op); }
    return op === "!=";  // unlike kinds: never equal, never ordered
  }

  function evaluate(node, answers, self) {
    if (node.op === "or") {
      return node.args.some(function (arg) { return evaluate(arg, answers, self); });
    }
    if (node.op === "and") {
      return node.args.every(function (arg) { return evaluate(arg, answers, self); });
    }
    if (node.op === "not") { return !evaluate(node.arg, answers, self); }
    if (node.op) {
      return compare(node.op, operand(node.a, answers, self), operand(node.b, answers, self));
    }
    if (node.fn) {
      var value = answers[node.var];
      if (node.fn === "empty") { return isEmpty(value); }
      if (isEmpty(value)) { return false; }
      if (Array.isArray(value)) { return value.indexOf(node.code) >= 0; }
      return value instanceof Num && node.code !== undefined && node.code !== null &&
        compareNum(value, toNum(String(node.code))) === 0;
    }
    if ("lit" in node && typeof node.lit === "boolean") { return node.lit; }
    throw new TypeError("not a condition");
  }

  function decode(kind, value) {
    if (value === null || value === undefined) { return null; }
    if (kind === "number" || kind === "code") { return toNum(String(value)); }
    if (kind === "multi") { return value.slice(); }
    if (kind === "date") { return new DateValue(value); }
    return value;
  }

  function decodeAll(kinds, encoded) {
    var answers = {};
    Object.keys(encoded).forEach(function (name) {
      answers[name] = decode(kinds[name], encoded[name]);
    });
    return answers;
  }

  /* What the server makes of the strings sent for one question (surveys/answers.py _parse),
     null where it would refuse them. */
  var INTEGER_RE = /^[+-]?([0-9]{1,15}|[0-9]{1,3}(,[0-9]{3}){1,4})$/;
  var DECIMAL_RE = /^[+-]?[0-9]{1,15}(\.[0-9]{1,10})?$/;
  var CODE_RE = /^-?[0-9]{1,7}$/;
  var YEAR_MONTH_RE = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

  function normal(text) { return text.normalize("NFKC").trim(); }

  function code(text, codes) {
    text = normal(text);
    return CODE_RE.test(text) && codes.indexOf(parseInt(text, 10)) >= 0 ? parseInt(text, 10) : null;
  }

  function bounded(question, number) {
    if (number === null) { return null; }
    if (question.min !== null && compareNum(number, toNum(question.min)) < 0) { return null; }
    if (question.max !== null && compareNum(number, toNum(question.max)) > 0) { return null; }
    return number;
  }

  function parseAnswer(question, raws, countries) {
    raws = raws.filter(function (raw) { return raw.trim() !== ""; });
    if (raws.length === 0) { return null; }
    var type = question.type;
    if (type === "select_multiple") {
      var codes = raws.map(function (raw) { return code(raw, question.codes); });
      return codes.indexOf(null) >= 0 ? null : codes;
    }
    if (raws.length > 1) { return null; }
    var text = raws[0];
    if (type === "select_one" || type === "likert" || type === "code") {
      var chosen = code(text, question.codes);
      return chosen === null ? null : toNum(String(chosen));
    }
    if (question.limit) {
      text = text.trim().replace(/\r\n/g, "\n");
      return Array.from(text).length > question.limit ? null : text;
    }
    text = normal(text);
    if (type === "integer") {
      return INTEGER_RE.test(text) ? bounded(question, toNum(text.replace(/,/g, ""))) : null;
    }
    if (type === "decimal") { return DECIMAL_RE.test(text) ? bounded(question, toNum(text)) : null; }
    if (type === "date") { return parseDate(text); }
    if (type === "year_month") { return YEAR_MONTH_RE.test(text) ? text : null; }
    if (type === "country") {
      return (countries || []).indexOf(text.toUpperCase()) >= 0 ? text.toUpperCase() : null;
    }
    return null;
  }

  /* Each question in order: hidden ones are null, as the server sees them. */
  function context(logic, read) {
    var answers = decodeAll(logic.kinds, logic.known);
    logic.questions.forEach(function (question) {
      var shown = question.shown_if.every(function (c) { return evaluate(c, answers, null); });
      var value = shown ? parseAnswer(question, read(question.name), logic.countries) : null;
      if (value !== null && question.constraint && !evaluate(question.constraint, answers, value)) {
        value = null;
      }
      answers[question.name] = value;
    });
    return answers;
  }

  function apply(form, logic) {
    // A question is read only when its conditions show it, whether or not the script had
    // hidden (and disabled) it before this change.
    var answers = context(logic, function (name) {
      return Array.from(form.querySelectorAll("[name]")).filter(function (input) {
        return input.name === name &&
          !((input.type === "radio" || input.type === "checkbox") && !input.checked);
      }).map(function (input) { return input.value; });
    });
    logic.items.forEach(function (item) {  // outer elements come first, then what they hold
      var element = form.querySelector('[data-item="' + item.name + '"]');
      if (!element) { return; }
      var shown = item.shown_if.every(function (c) { return evaluate(c, answers, null); });
      element.hidden = !shown;
      element.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }

  function start() {
    var data = document.getElementById("survey-logic");
    var form = document.querySelector("form[data-survey-page]");
    if (!data || !form) { return; }
    var logic = JSON.parse(data.textContent);
    var update = function () { apply(form, logic); };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  window.JgradConditions = {
    // One case as the tests send it: a tree, kinds, encoded answers, [kind, value] of `.`.
    evaluate: function (tree, kinds, encoded, self) {
      return evaluate(tree, decodeAll(kinds, encoded), self ? decode(self[0], self[1]) : null);
    },
    decode: decode, parseAnswer: parseAnswer, context: context,
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
