// aurum serve: the dashboard. Plain JavaScript, no build step; talks only to /api/ on the
// same origin. Charts: TradingView Lightweight Charts 4.2 (vendor/), the CAAR chart in SVG.
(function () {
  'use strict';

  var I18N = window.AURUM_I18N;
  var LWC = window.LightweightCharts;
  var TABS = ['chart', 'scenario', 'events', 'study', 'runs', 'calls'];
  var DEFAULT_SERIES = 'gold-usd-lbma-pm';
  var GPR_SERIES = 'gpr-daily';
  // Colours of the charts: the stylesheet's --chart-* variables, light or dark with the system.
  function col(name) { return getComputedStyle(document.documentElement).getPropertyValue('--' + name).trim(); }
  function accent() { return col('accent') || '#8a6d1e'; }
  var CATEGORY_ORDER = Object.keys(I18N.categories);
  var REGION_ORDER = Object.keys(I18N.regions);

  var state = {
    lang: 'en',
    asOf: '',
    tab: 'chart',
    series: null, // GET /api/series
    loaded: {}, // tab -> as-of it was loaded for
    chart: { data: null, charts: [], fromAuto: true, freq: 'weekly', log: false },
    scenario: { example: null, result: null, resultModel: null, runParams: null, baseRates: null },
    events: { list: null, asOf: null, sortDesc: true },
    study: { data: null, params: null },
    runs: { list: null, detail: null },
    // list: GET /api/calls; scores: GET /api/calls/score by id; detail: { call, score, id }
    calls: { list: null, scores: null, scoredAsOf: '', detail: null, publishing: null, loading: false },
  };

  // ---------------------------------------------------------------- helpers

  function $(id) { return document.getElementById(id); }

  function t(key, vars) {
    var d = I18N[state.lang] || I18N.en;
    var s = d[key];
    if (s === undefined) s = I18N.en[key];
    if (s === undefined) s = key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, k) {
        return vars[k] === undefined || vars[k] === null ? '' : String(vars[k]);
      });
    }
    return s;
  }

  function locale() { return state.lang === 'ja' ? 'ja-JP' : 'en-US'; }

  // `{n} things` or, for one, the key's `One` form.
  function tn(key, n) { return t(n === 1 ? key + 'One' : key, { n: fmtInt(n) }); }

  var nfCache = {};
  function nf(opts) {
    var k = locale() + JSON.stringify(opts);
    if (!nfCache[k]) nfCache[k] = new Intl.NumberFormat(locale(), opts);
    return nfCache[k];
  }
  function isNum(x) { return typeof x === 'number' && isFinite(x); }
  function fmtNum(x, digits) {
    if (!isNum(x)) return '—';
    var d = digits === undefined ? 2 : digits;
    return nf({ minimumFractionDigits: d, maximumFractionDigits: d }).format(x);
  }
  function fmtInt(x) { return isNum(x) ? nf({ maximumFractionDigits: 0 }).format(x) : '—'; }
  // A fraction as a percentage: 0.803 -> 80.3%.
  function fmtPct(x, digits) {
    if (!isNum(x)) return '—';
    var d = digits === undefined ? 1 : digits;
    return nf({ style: 'percent', minimumFractionDigits: d, maximumFractionDigits: d }).format(x);
  }
  // A number already in percent, signed: 1.234 -> +1.23%.
  function fmtPctPoints(x, digits) {
    if (!isNum(x)) return '—';
    var d = digits === undefined ? 2 : digits;
    return nf({ minimumFractionDigits: d, maximumFractionDigits: d, signDisplay: 'exceptZero' }).format(x) + '%';
  }
  function fmtSigned(x, digits) {
    if (!isNum(x)) return '—';
    var d = digits === undefined ? 2 : digits;
    return nf({ minimumFractionDigits: d, maximumFractionDigits: d, signDisplay: 'exceptZero' }).format(x);
  }

  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function isoDate(d) { return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()); }
  function parseIso(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || '');
    return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
  }
  function addDays(s, n) {
    var d = parseIso(s);
    if (!d) return s;
    d.setUTCDate(d.getUTCDate() + n);
    return isoDate(d);
  }
  function todayIso() {
    var d = new Date();
    return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate());
  }
  // YYYY-MM-DD in English, YYYY年M月D日 in Japanese.
  function fmtDate(s) {
    if (!s) return '—';
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
    if (!m) return String(s);
    if (state.lang === 'ja') return +m[1] + '年' + +m[2] + '月' + +m[3] + '日';
    return m[1] + '-' + m[2] + '-' + m[3];
  }
  function fmtDateTime(v) {
    var d;
    if (isNum(v)) d = new Date(v > 1e12 ? v : v * 1000);
    else if (typeof v === 'string' && /^\d+$/.test(v)) d = new Date(+v * 1000);
    else d = new Date(v);
    if (isNaN(d.getTime())) return String(v);
    var date = d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate());
    return fmtDate(date) + ' ' + pad2(d.getHours()) + ':' + pad2(d.getMinutes());
  }
  // Monday of the week of an ISO date: bars of two series in the same week share it.
  function weekKey(s) {
    var d = parseIso(s);
    if (!d) return s;
    var dow = (d.getUTCDay() + 6) % 7;
    d.setUTCDate(d.getUTCDate() - dow);
    return isoDate(d);
  }
  // Lightweight Charts hands formatters a string, a BusinessDay or a UTC timestamp.
  // The period a date falls in, for bars of `freq`: the day, the week (its Monday) or the month.
  function periodKey(s, freq) {
    if (freq === 'daily') return s;
    if (freq === 'monthly') return String(s).slice(0, 7);
    return weekKey(s);
  }
  // Lightweight Charts hands formatters a string, a BusinessDay or a UTC timestamp.
  function timeToIso(time) {
    if (typeof time === 'string') return time;
    if (isNum(time)) return isoDate(new Date(time * 1000));
    if (time && time.year) return time.year + '-' + pad2(time.month) + '-' + pad2(time.day);
    return '';
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === 'text') e.textContent = v;
        else if (k === 'className') e.className = v;
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function qs(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== undefined && v !== null && v !== '') parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    });
    return parts.join('&');
  }
  function asArray(x, key) {
    if (Array.isArray(x)) return x;
    if (x && Array.isArray(x[key])) return x[key];
    if (x && Array.isArray(x.data)) return x.data;
    return [];
  }

  function catLabel(c) {
    var e = I18N.categories[c];
    return e ? e[state.lang] || e.en : c;
  }
  function regionLabel(r) {
    var e = I18N.regions[r];
    return e ? e[state.lang] || e.en : r;
  }
  function seriesMeta(id) {
    return (state.series || []).filter(function (s) { return s.id === id; })[0] || null;
  }
  function seriesLabel(id) {
    var m = seriesMeta(id);
    if (state.lang === 'ja' && I18N.seriesJa[id]) return I18N.seriesJa[id];
    return m && m.name ? m.name : id;
  }
  // A series' data source in the page's language (the names of sources stay as they are).
  function sourceLabel(id, source) {
    if (state.lang !== 'ja') return source;
    var ja = I18N.sourceJa || {};
    return ja[id] || (/^gpr/.test(id) ? ja.gpr : null) || source;
  }
  function eventTitle(e) {
    if (!e) return '';
    if (state.lang === 'ja') return e.title_ja || e.title_en || e.title || e.id;
    return e.title_en || e.title || e.title_ja || e.id;
  }

  // ---------------------------------------------------------------- API and errors

  // `code` and `field` are the server's stable words for what went wrong: the page words the
  // error from them in the user's language; `message` is the technical detail.
  function ApiError(status, message, field, code) {
    this.status = status;
    this.message = message;
    this.field = field || null;
    this.code = code || null;
  }

  // A server reachable from the network prints its address with '#token=…': the page keeps
  // the token for this tab and sends it with every request.
  var TOKEN = (function () {
    var m = /(?:^#|&)token=([0-9a-f]+)/.exec(location.hash || '');
    try {
      if (m) { sessionStorage.setItem('aurum-token', m[1]); history.replaceState(null, '', location.pathname + location.search); }
      return sessionStorage.getItem('aurum-token');
    } catch (e) { return m ? m[1] : null; }
  })();

  function api(path, opts) {
    opts = opts || {};
    var init = { method: opts.method || 'GET', headers: { Accept: 'application/json' } };
    if (TOKEN) init.headers.Authorization = 'Bearer ' + TOKEN;
    if (opts.body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    if (opts.signal) init.signal = opts.signal;
    return fetch(path, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!res.ok) {
          var msg = data && (data.error || data.message) ? (data.error || data.message) : (text.trim() || t('httpError', { status: res.status }));
          throw new ApiError(res.status, msg, data && data.field ? data.field : null, data && data.code ? data.code : null);
        }
        if (data === null && text) throw new ApiError(res.status, t('httpError', { status: res.status }), null);
        return data;
      });
    }, function (err) {
      // Given up by the page (Cancel): the server stops the work when the request goes away.
      if (err && err.name === 'AbortError') throw new ApiError(0, t('err_cancelled'), null, 'aborted');
      throw new ApiError(0, t('unreachable', { msg: err && err.message ? err.message : 'network' }), null);
    });
  }

  // An error of the server in the user's language, from its code and field (the most
  // particular wording the dictionary has), or null for an error without a code.
  function errorWords(err) {
    if (!err || !err.code) return null;
    var d = I18N[state.lang] || I18N.en;
    var f = err.field;
    var keys = f ? ['err_' + err.code + '_' + f, 'err_' + err.code + '_field'] : [];
    keys.push('err_' + err.code);
    var key = keys.filter(function (k) { return d[k] !== undefined || I18N.en[k] !== undefined; })[0];
    if (!key) return null;
    var fieldName = f ? t('field_' + f) : '';
    if (fieldName === 'field_' + f) fieldName = f;
    // The scenario a file's error names, by its name in this language.
    var scenario = '';
    var m = /scenario "([^"]+)"/.exec(err.message || '');
    if (m) {
      var model = null;
      try { model = readScenarioModel($('scenario-toml').value); } catch (e) { model = null; }
      var sc = model ? scenarioById(model, m[1]) : null;
      scenario = sc ? (state.lang === 'ja' && sc.name_ja ? sc.name_ja : sc.name || m[1]) : m[1];
    }
    var words = t(key, { field: fieldName });
    if (scenario) words = t('errInScenario', { scenario: scenario, words: words });
    return words;
  }

  // Fills the error box: the words, and the server's own message behind a disclosure.
  function wordError(err) {
    var msg = err && err.message ? err.message : String(err);
    if (err && err.words) {
      // The page's own error (the form's check): worded again in the page's language.
      $('error-text').textContent = t(err.words.key, err.words.vars);
      $('error-detail').hidden = true;
      $('error-detail-text').textContent = '';
      return;
    }
    var words = errorWords(err);
    $('error-text').textContent = words || msg;
    var detail = $('error-detail');
    detail.hidden = !words;
    detail.open = false;
    $('error-detail-text').textContent = words ? msg + (err.code ? ' [' + err.code + (err.field ? ', ' + err.field : '') + ']' : '') : '';
  }

  // `mark(field)` returns the input(s) to mark for a server field name.
  function showError(err, mark) {
    clearMarks();
    var box = $('error');
    state.error = err;
    wordError(err);
    if (err && err.field) box.setAttribute('data-field', err.field);
    else box.removeAttribute('data-field');
    if (err && err.code) box.setAttribute('data-code', err.code);
    else box.removeAttribute('data-code');
    if (err && err.status) box.setAttribute('data-status', String(err.status));
    else box.removeAttribute('data-status');
    box.hidden = false;
    var r = box.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) box.scrollIntoView({ block: 'nearest' });
    if (err && err.field && mark) {
      var targets = mark(err.field, err.message || '') || [];
      targets.forEach(function (input) {
        if (!input) return;
        input.classList.add('invalid');
        input.setAttribute('aria-invalid', 'true');
      });
      if (targets[0] && targets[0].focus) {
        var d = targets[0].closest('details');
        if (d) d.open = true;
      }
    }
  }
  function clearMarks() {
    Array.prototype.forEach.call(document.querySelectorAll('.invalid, [aria-invalid="true"]'), function (e) {
      e.classList.remove('invalid');
      e.removeAttribute('aria-invalid');
    });
    Array.prototype.forEach.call(document.querySelectorAll('.field-msg'), function (m) {
      var input = document.querySelector('[aria-describedby="' + m.id + '"]');
      if (input) input.removeAttribute('aria-describedby');
      m.remove();
    });
  }
  function clearError() {
    hideError();
    clearMarks();
  }
  // The error box emptied and hidden; the fields' marks stay.
  function hideError() {
    $('error').hidden = true;
    $('error').removeAttribute('data-field');
    $('error').removeAttribute('data-status');
    $('error-text').textContent = '';
    $('error').removeAttribute('data-code');
    $('error-detail').hidden = true;
    $('error-detail-text').textContent = '';
    state.error = null;
  }
  function spinnerStatus(node, text) {
    clear(node);
    node.classList.remove('ok');
    node.appendChild(el('span', { className: 'spinner', 'aria-hidden': 'true' }));
    node.appendChild(document.createTextNode(text));
  }
  function setStatus(node, text, ok) {
    clear(node);
    node.textContent = text || '';
    node.classList.toggle('ok', !!ok);
  }

  // ---------------------------------------------------------------- language

  function initialLang() {
    var p = new URLSearchParams(location.search).get('lang');
    if (p === 'ja' || p === 'en') return p;
    try {
      var s = localStorage.getItem('aurum.lang');
      if (s === 'ja' || s === 'en') return s;
    } catch (e) { /* storage unavailable */ }
    var nav = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
    return /^ja\b/i.test(nav) ? 'ja' : 'en';
  }

  function applyI18n() {
    document.documentElement.lang = state.lang;
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (e) {
      e.textContent = t(e.getAttribute('data-i18n'));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n-placeholder]'), function (e) {
      e.setAttribute('placeholder', t(e.getAttribute('data-i18n-placeholder')));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n-title]'), function (e) {
      e.setAttribute('title', t(e.getAttribute('data-i18n-title')));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n-aria-label]'), function (e) {
      e.setAttribute('aria-label', t(e.getAttribute('data-i18n-aria-label')));
    });
    $('lang-en').setAttribute('aria-pressed', String(state.lang === 'en'));
    $('lang-ja').setAttribute('aria-pressed', String(state.lang === 'ja'));
    document.title = 'aurum — ' + t('tagline');
  }

  function setLang(lang, remember) {
    if (lang !== 'en' && lang !== 'ja') return;
    state.lang = lang;
    if (remember) {
      try { localStorage.setItem('aurum.lang', lang); } catch (e) { /* storage unavailable */ }
    }
    applyI18n();
    saveView(false);
    if (state.error && !$('error').hidden) wordError(state.error);
    fillSeriesSelect();
    fillCategorySelects();
    if (state.chart.data) renderChart();
    if (state.scenario.example || $('scenario-toml').value) renderScenarioForm(true);
    fillTomlHeld();
    rewordFieldMsgs();
    if (!$('draft-note').hidden) fillDraftNote();
    if (state.scenario.result) renderResults();
    if (state.events.list) renderEvents();
    if (state.study.data) renderStudy();
    if (state.runs.list) renderRuns();
    if (state.runs.detail) renderRunDetail();
    if (state.calls.list) renderCalls();
    if (state.calls.detail) renderCallDetail();
    if (state.scenario.result) renderRecordedCall();
    if (state.scenario.stale) markResultsStale(state.scenario.stale);
  }

  // ---------------------------------------------------------------- tabs

  // `push`: the user chose the tab (a new history entry); otherwise the address is replaced.
  function selectTab(name, focus, push) {
    if (TABS.indexOf(name) < 0) name = 'chart';
    state.tab = name;
    TABS.forEach(function (tab) {
      var b = $('tab-' + tab);
      var on = tab === name;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      $('panel-' + tab).hidden = !on;
      if (on) {
        // On a narrow screen the tab bar scrolls: keep the selected tab in it.
        var r = b.getBoundingClientRect();
        var bar = b.parentNode.getBoundingClientRect();
        if (r.left < bar.left) b.parentNode.scrollLeft += r.left - bar.left - 16;
        else if (r.right > bar.right) b.parentNode.scrollLeft += r.right - bar.right + 16;
      }
    });
    if (focus) $('tab-' + name).focus();
    var keep = (name === 'calls' && callInHash() !== null) || (name === 'runs' && runInHash() !== null);
    if (!state.series && location.hash !== '#' + name && !keep) {
      history.replaceState(null, '', location.pathname + location.search + '#' + name);
    }
    saveView(push);
    ensureLoaded(name);
  }

  function initTabs() {
    TABS.forEach(function (tab, i) {
      var b = $('tab-' + tab);
      b.addEventListener('click', function () { selectTab(tab, false, true); });
      b.addEventListener('keydown', function (e) {
        var j = null;
        if (e.key === 'ArrowRight') j = (i + 1) % TABS.length;
        else if (e.key === 'ArrowLeft') j = (i + TABS.length - 1) % TABS.length;
        else if (e.key === 'Home') j = 0;
        else if (e.key === 'End') j = TABS.length - 1;
        if (j !== null) {
          e.preventDefault();
          selectTab(TABS[j], true, true);
        }
      });
    });
    window.addEventListener('hashchange', function () {
      var h = location.hash.replace('#', '');
      var call = callInHash();
      if (call !== null) {
        if (state.tab !== 'calls') selectTab('calls', false); // loads the list, then the call
        if (!state.calls.loading && (!state.calls.detail || String(state.calls.detail.id) !== call)) showCall(call);
        return;
      }
      var run = runInHash();
      if (run !== null) {
        if (state.tab !== 'runs') selectTab('runs', false);
        if (!state.runs.detail || String(state.runs.detail.id) !== run) showRun(run);
        return;
      }
      if (TABS.indexOf(h) >= 0 && h !== state.tab) selectTab(h, false);
    });
    window.addEventListener('popstate', restoreView);
  }

  function ensureLoaded(tab) {
    if (!state.series) return; // init() loads the tab once the series are known
    var key = tab === 'scenario' || tab === 'runs' ? 'any'
      : tab === 'calls' ? state.asOf + (includeDrafts() ? '+drafts' : '') : state.asOf;
    if (state.loaded[tab] === key) return;
    state.loaded[tab] = key;
    if (tab === 'chart') loadChart();
    else if (tab === 'scenario') loadScenario();
    else if (tab === 'events') loadEvents();
    else if (tab === 'study') loadStudy();
    else if (tab === 'runs') loadRuns();
    else if (tab === 'calls') loadCalls();
  }

  // ---------------------------------------------------------------- shared: series and events

  function loadSeries() {
    return api('/api/series').then(function (d) {
      state.series = asArray(d, 'series');
    }, function (err) {
      state.series = [];
      showError(err);
    });
  }

  function fillSeriesSelect() {
    var sel = $('chart-series');
    var cur = sel.value || DEFAULT_SERIES;
    clear(sel);
    var groups = { gold: [], markets: [], gpr: [], gprCountry: [], user: [] };
    (state.series || []).forEach(function (s) {
      var g = s.bundled === false ? 'user'
        : /^gold/.test(s.id) ? 'gold'
        : /^gpr-country-/.test(s.id) ? 'gprCountry'
        : /^gpr/.test(s.id) ? 'gpr' : 'markets';
      groups[g].push(s);
    });
    [['gold', 'groupGold'], ['markets', 'groupMarkets'], ['gpr', 'groupGpr'], ['gprCountry', 'groupGprCountry'], ['user', 'groupUser']].forEach(function (g) {
      if (!groups[g[0]].length) return;
      var og = el('optgroup', { label: t(g[1]) });
      groups[g[0]].forEach(function (s) {
        og.appendChild(el('option', { value: s.id, text: seriesLabel(s.id) }));
      });
      sel.appendChild(og);
    });
    if (!sel.options.length) sel.appendChild(el('option', { value: DEFAULT_SERIES, text: DEFAULT_SERIES }));
    sel.value = cur;
    if (sel.value !== cur) sel.value = sel.options[0].value;
    filterSeries();
  }

  // The series search: options whose name or id holds every word typed stay in the list.
  function filterSeries() {
    var words = $('chart-series-search').value.normalize('NFKC').toLowerCase().split(/\s+/).filter(Boolean);
    var sel = $('chart-series');
    var shown = 0;
    Array.prototype.forEach.call(sel.querySelectorAll('optgroup'), function (og) {
      var any = false;
      Array.prototype.forEach.call(og.querySelectorAll('option'), function (o) {
        var hay = (o.textContent + ' ' + o.value).normalize('NFKC').toLowerCase();
        var ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
        o.hidden = !ok;
        if (ok) { any = true; shown++; }
      });
      og.hidden = !any;
    });
    sel.setAttribute('data-shown', String(shown));
    $('chart-series-search').setAttribute('aria-invalid', String(words.length > 0 && shown === 0));
    return shown;
  }

  function knownCategories() {
    var set = {};
    CATEGORY_ORDER.forEach(function (c) { set[c] = true; });
    (state.events.list || []).forEach(function (e) { if (e.category) set[e.category] = true; });
    return Object.keys(set);
  }
  function knownRegions() {
    var set = {};
    REGION_ORDER.forEach(function (c) { set[c] = true; });
    (state.events.list || []).forEach(function (e) { if (e.region) set[e.region] = true; });
    return Object.keys(set);
  }

  function fillSelect(sel, values, label, allLabel) {
    var cur = sel.value;
    clear(sel);
    if (allLabel) sel.appendChild(el('option', { value: '', text: allLabel }));
    values.forEach(function (v) { sel.appendChild(el('option', { value: v, text: label(v) })); });
    if (cur !== '' && values.indexOf(cur) >= 0) sel.value = cur;
    else if (!allLabel && values.length) sel.value = values[0];
    else sel.value = cur;
  }

  function fillCategorySelects() {
    var cats = knownCategories();
    var regions = knownRegions();
    fillSelect($('ev-filter-category'), cats, catLabel, t('allCategories'));
    fillSelect($('ev-filter-region'), regions, regionLabel, t('allRegions'));
    fillSelect($('ev-category'), cats, catLabel, t('choose'));
    fillSelect($('ev-region'), regions, regionLabel, t('choose'));
    fillSelect($('study-category'), cats, catLabel, null);
  }

  // All events known on the as-of date (cached per as-of date).
  function getEvents() {
    if (state.events.list && state.events.asOf === state.asOf) return Promise.resolve(state.events.list);
    return api('/api/events?' + qs({ as_of: state.asOf })).then(function (d) {
      state.events.list = asArray(d, 'events');
      state.events.asOf = state.asOf;
      fillCategorySelects();
      return state.events.list;
    });
  }

  // ---------------------------------------------------------------- 1. chart

  function defaultFrom(asOf) {
    var d = parseIso(asOf) || new Date();
    return (d.getUTCFullYear() - 2) + '-01-01';
  }

  // Numbers as people type them: "3,000", "3 000", full-width digits, "+10%", separated by
  // commas, semicolons, 、 or spaces. A comma or space followed by exactly three digits groups
  // thousands; anything else that is not a number or a separator is returned as `bad`, to be
  // flagged at the field rather than dropped.
  var AMOUNT = /[+\-]?\d{1,3}(?:[ ,]\d{3}(?!\d))+(?:\.\d+)?%?|[+\-]?\d+(?:\.\d+)?%?/g;
  function parseAmounts(text) {
    var s = String(text || '').normalize('NFKC');
    var values = (s.match(AMOUNT) || []).map(function (tok) {
      var plain = tok.replace(/[ ,]/g, '');
      return /%$/.test(plain) ? plain : Number(plain);
    });
    var bad = s.replace(AMOUNT, ' ').replace(/[\s,;、]+/g, ' ').trim();
    return { values: values, bad: bad };
  }

  function parseTargets(text) {
    return parseAmounts(text).values.filter(function (x) { return isNum(x) && x > 0; });
  }

  function loadChart() {
    var id = $('chart-series').value || DEFAULT_SERIES;
    var from = $('chart-from').value;
    var freq = state.chart.freq;
    var q = qs({ freq: freq, from: from, as_of: state.asOf });
    var container = $('price-chart');
    container.setAttribute('data-ready', '0');
    $('chart-subtitle').textContent = t('loading');
    var hasGpr = !state.series.length || !!seriesMeta(GPR_SERIES);
    var bars = api('/api/series/' + encodeURIComponent(id) + '/bars?' + q);
    var gpr = hasGpr && id !== GPR_SERIES
      ? api('/api/series/' + GPR_SERIES + '/bars?' + q).catch(function () { return null; })
      : Promise.resolve(null);
    var events = api('/api/events?' + qs({ from: from, as_of: state.asOf })).catch(function () { return null; });
    return Promise.all([bars, gpr, events]).then(function (r) {
      state.chart.data = {
        id: id,
        from: from,
        freq: freq,
        bars: asArray(r[0], 'bars'),
        gpr: r[1] ? asArray(r[1], 'bars') : null,
        events: r[2] ? asArray(r[2], 'events') : [],
      };
      renderChart();
    }, function (err) {
      state.loaded.chart = null;
      $('chart-subtitle').textContent = '';
      showError(err, function (field) {
        return [{ from: $('chart-from'), as_of: $('as-of'), series: $('chart-series'), id: $('chart-series') }[field]];
      });
      container.setAttribute('data-bars', '0');
      container.setAttribute('data-ready', '1');
    });
  }

  function chartBaseOptions(attribution) {
    return {
      autoSize: true,
      layout: {
        background: { type: 'solid', color: col('chart-bg') },
        textColor: col('chart-text'),
        fontSize: 11,
        fontFamily: getComputedStyle(document.documentElement).fontFamily,
        attributionLogo: !!attribution,
      },
      grid: {
        vertLines: { color: col('chart-grid') },
        horzLines: { color: col('chart-grid-h') },
      },
      rightPriceScale: { borderColor: col('chart-border'), minimumWidth: 84 },
      timeScale: {
        borderColor: col('chart-border'),
        rightOffset: 2,
        tickMarkFormatter: function (time, type) {
          if (state.lang !== 'ja') return null;
          var s = timeToIso(time);
          var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
          if (!m) return null;
          if (type === 0) return +m[1] + '年';
          if (type === 1) return +m[2] + '月';
          if (type === 2) return +m[3] + '日';
          return null;
        },
      },
      crosshair: { mode: 0 },
      localization: {
        locale: locale(),
        priceFormatter: function (p) { return fmtNum(p, 2); },
        timeFormatter: function (time) { return fmtDate(timeToIso(time)); },
      },
    };
  }

  // Every bar in view, with room on the left for the first date's label to be whole (a
  // label centred on the first bar would otherwise be cut: "023" for 2023).
  function fitAll(chart, n, box) {
    var ts = chart.timeScale();
    var w = ts.width() || (box ? box.clientWidth - 90 : 0);
    if (!n || !w) { ts.fitContent(); return; }
    var spacing = w / (n + 2);
    var pad = Math.min(n / 4, Math.max(0.5, 34 / Math.max(1, spacing)));
    ts.setVisibleLogicalRange({ from: -pad, to: n - 1 + 2 });
  }

  function destroyCharts(list) {
    (list || []).forEach(function (c) { try { c.remove(); } catch (e) { /* already gone */ } });
  }

  // Which bar each event falls in: the bar whose day, week or month contains it.
  function eventsByBar(bars, events, freq) {
    var byWeek = {};
    bars.forEach(function (b, i) { byWeek[periodKey(b.date, freq)] = i; });
    var out = [];
    var sorted = events.slice().sort(function (a, b) { return a.date < b.date ? -1 : a.date > b.date ? 1 : 0; });
    sorted.forEach(function (e) {
      var i = byWeek[periodKey(e.date, freq)];
      if (i === undefined) {
        // A bar labelled by its first day, or a week without prices: the next bar within a week.
        for (var j = 0; j < bars.length; j++) {
          if (bars[j].date >= e.date) {
            if (bars[j].date <= addDays(e.date, 7)) i = j;
            break;
          }
        }
      }
      if (i !== undefined) out.push({ event: e, bar: i });
    });
    return out;
  }

  function renderChart() {
    var d = state.chart.data;
    if (!d || !LWC) return;
    destroyCharts(state.chart.charts);
    state.chart.charts = [];
    var container = $('price-chart');
    var gprBox = $('gpr-chart');
    clear(container);
    clear(gprBox);
    var bars = d.bars.filter(function (b) { return b && b.date && isNum(b.close); });
    var meta = seriesMeta(d.id);
    var isGold = /^gold/.test(d.id);
    $('chart-title').textContent = state.lang === 'ja' && isGold
      ? t('chartTitleGold', { freq: freqWords(d.freq) })
      : t('chartTitle', { name: seriesLabel(d.id), freq: freqWords(d.freq) });
    $('gpr-title').textContent = t(d.freq === 'daily' ? 'gprTitleDaily' : d.freq === 'monthly' ? 'gprTitleMonthly' : 'gprTitleWeekly');
    setChartTools();
    if (bars.length) {
      var last = bars[bars.length - 1];
      $('chart-subtitle').textContent = t(isFixing(d.id) ? 'chartSubFixing' : 'chartSub', {
        // A week is labelled by its last day, which may lie after the as-of date.
        first: fmtDate(bars[0].first_date || bars[0].date),
        last: fmtDate(minDate(last.last_date || last.date, state.asOf)),
        asOf: fmtDate(state.asOf), close: fmtNum(last.close, 2),
      }) + (meta && meta.source ? t('sourceLine', { source: sourceLabel(d.id, meta.source) }) : '');
    } else {
      $('chart-subtitle').textContent = t('noBars');
    }

    var main = LWC.createChart(container, chartBaseOptions(true));
    state.chart.charts.push(main);
    var candles = main.addCandlestickSeries({
      upColor: col('candle-up'), downColor: col('candle-down'),
      borderUpColor: col('candle-line'), borderDownColor: col('candle-line'),
      wickUpColor: col('candle-line'), wickDownColor: col('candle-line'),
      priceLineColor: col('last-price'), priceLineStyle: 1,
    });
    candles.setData(bars.map(function (b) {
      var o = isNum(b.open) ? b.open : b.close;
      var h = isNum(b.high) ? b.high : Math.max(o, b.close);
      var l = isNum(b.low) ? b.low : Math.min(o, b.close);
      return { time: b.date, open: o, high: h, low: l, close: b.close };
    }));

    // Target lines: dashed, in the accent colour; their labels are laid out with the event
    // markers so that none covers another (the last price's line is grey and dotted).
    var targets = parseTargets($('chart-targets').value).map(function (v) {
      candles.createPriceLine({
        price: v, color: accent(), lineWidth: 2, lineStyle: 2, axisLabelVisible: true, title: '',
      });
      return { price: v, title: targetTitle(v, meta) };
    });

    // Events: one marker per week, numbered like the list below; a week with several events
    // says how many and lists them on hover, focus or tap.
    var placed = $('chart-show-events').checked ? eventsByBar(bars, d.events, d.freq) : [];
    var perBar = {};
    placed.forEach(function (p, k) {
      (perBar[bars[p.bar].date] = perBar[bars[p.bar].date] || []).push({ n: k + 1, event: p.event });
    });
    var groups = Object.keys(perBar).sort().map(function (time) {
      return { time: time, events: perBar[time] };
    });
    state.chart.layout = { chart: main, series: candles, container: container, bars: bars, groups: groups, targets: targets };
    if (isNum(state.chart.hline)) setHline(state.chart.hline);
    buildMarkers();
    var list = $('chart-events');
    clear(list);
    placed.forEach(function (p) {
      list.appendChild(el('li', { title: p.event.id }, [
        el('span', { className: 'd', text: fmtDate(p.event.date) }),
        eventTitle(p.event) + ' ',
        el('span', { className: 'tag', text: catLabel(p.event.category) }),
      ]));
    });
    $('chart-events-count').textContent = String(placed.length);
    main.priceScale('right').applyOptions({ mode: state.chart.log ? 1 : 0 });
    fitAll(main, bars.length, container);
    main.timeScale().subscribeVisibleLogicalRangeChange(scheduleMarkerLayout);
    if (main.timeScale().subscribeSizeChange) main.timeScale().subscribeSizeChange(scheduleMarkerLayout);

    // The GPR pane: the same weeks as the price chart, so the two scroll together.
    var gprSeries = null;
    var gprChart = null;
    var byWeek = {};
    (d.gpr || []).forEach(function (b) { if (b && isNum(b.close)) byWeek[periodKey(b.date, d.freq)] = b.close; });
    if (d.gpr && d.gpr.length) {
      gprChart = LWC.createChart(gprBox, chartBaseOptions(false));
      state.chart.charts.push(gprChart);
      gprSeries = gprChart.addLineSeries({
        color: col('line-muted'), lineWidth: 1, priceLineVisible: false, lastValueVisible: true,
        priceFormat: { type: 'price', precision: 1, minMove: 0.1 },
      });
      gprSeries.setData(bars.map(function (b) {
        var v = byWeek[periodKey(b.date, d.freq)];
        return isNum(v) ? { time: b.date, value: v } : { time: b.date };
      }));
      fitAll(gprChart, bars.length, gprBox);
      syncCharts(main, candles, gprChart, gprSeries, bars, byWeek, d.freq);
      gprBox.setAttribute('data-ready', '1');
    } else {
      gprBox.appendChild(el('p', { className: 'sub', text: isGprSeries(d.id) ? '' : t('gprMissing') }));
      gprBox.setAttribute('data-ready', '1');
    }
    gprBox.setAttribute('data-points', String(Object.keys(byWeek).length));

    // Crosshair: OHLC of the week (a fixing series': its first, highest, lowest and last
    // fixings) and its events in a box beside the cursor.
    var fixing = isFixing(d.id);
    var tip = $('chart-tooltip');
    tip.hidden = true;
    var byTime = {};
    bars.forEach(function (b) { byTime[b.date] = b; });
    main.subscribeCrosshairMove(function (param) {
      if (!param || !param.time || !param.point || param.point.x < 0 || param.point.y < 0) {
        tip.hidden = true;
        return;
      }
      var key = timeToIso(param.time);
      var b = byTime[key];
      if (!b) { tip.hidden = true; return; }
      clear(tip);
      tip.appendChild(el('div', { className: 'tt-date', text: periodWords(key) }));
      // Each price with its label kept on one line: a narrow box breaks only between them.
      var prices = t(!fixing ? 'ohlc' : d.freq === 'daily' ? 'ohlcFixingDay' : 'ohlcFixing',
        { o: fmtNum(b.open, 2), h: fmtNum(b.high, 2), l: fmtNum(b.low, 2), c: fmtNum(b.close, 2) });
      tip.appendChild(el('div', { className: 'tt-ohlc' }, prices.split(/(\s{2,}|\u3000)/).map(function (part, k) {
        return k % 2 ? part : el('span', { className: 'tt-price', text: part });
      })));
      var evs = perBar[key] || [];
      if (state.chart.popFor !== null && state.chart.popFor !== undefined) { tip.hidden = true; return; }
      if (evs.length) {
        var ul = el('ul');
        evs.forEach(function (x) {
          ul.appendChild(el('li', null, [el('strong', { text: x.n + '. ' }), fmtDate(x.event.date) + ' ' + eventTitle(x.event)]));
        });
        tip.appendChild(ul);
      }
      tip.hidden = false;
      var w = container.clientWidth;
      var tw = tip.offsetWidth;
      var x = param.point.x + 16;
      if (x + tw > w - 90) x = Math.max(4, param.point.x - tw - 16);
      tip.style.left = x + 'px';
      tip.style.top = '8px';
    });

    container.setAttribute('data-bars', String(bars.length));
    container.setAttribute('data-markers', String(groups.length));
    container.setAttribute('data-series', d.id);
    container.setAttribute('data-ready', '1');
  }

  // ---------------------------------------------------------------- chart: event markers

  // The markers and target labels are HTML over the chart, laid out after each change of
  // the visible range so that no two boxes overlap: a marker that would cover another moves
  // above it (or, without room above, below the bar); when the weeks are narrower than a
  // label the markers shrink to dots and the labels hide.
  var MARKER_GAP = 3;
  var LABEL_MIN_SPACING = 12;

  function buildMarkers() {
    var L = state.chart.layout;
    var layer = $('chart-markers');
    var tools = $('hline-tools');
    clear(layer);
    layer.appendChild(tools);
    hideMarkerPop();
    if (!L) return;
    L.targets.forEach(function (tg, i) {
      tg.node = el('span', { className: 'target-label', id: 'target-label-' + i, 'data-price': String(tg.price), text: tg.title });
      layer.appendChild(tg.node);
    });
    L.groups.forEach(function (g, i) {
      var n = g.events.length;
      var label = n === 1 ? String(g.events[0].n) : tn('eventsInWeek', n);
      var names = g.events.map(function (x) { return x.n + '. ' + eventTitle(x.event); }).join('; ');
      g.label = label;
      g.node = el('button', {
        type: 'button', className: 'marker' + (n > 1 ? ' group' : '') + (g.events.some(function (x) { return x.event.surprise; }) ? ' surprise' : ''),
        id: 'marker-' + i, 'data-time': g.time, 'data-count': String(n),
        'aria-expanded': 'false', 'aria-controls': 'marker-pop',
        'aria-label': periodWords(g.time) + ': ' + names,
      });
      g.node.appendChild(el('span', { className: 'marker-text', text: label }));
      g.node.addEventListener('mouseenter', function () { showMarkerPop(i, false); });
      g.node.addEventListener('mouseleave', function () { if (!state.chart.popPinned) hideMarkerPop(); });
      g.node.addEventListener('focus', function () { showMarkerPop(i, false); });
      g.node.addEventListener('blur', function () { if (!state.chart.popPinned) hideMarkerPop(); });
      g.node.addEventListener('click', function (e) {
        e.stopPropagation();
        if (state.chart.popPinned && state.chart.popFor === i) hideMarkerPop();
        else showMarkerPop(i, true);
      });
      layer.appendChild(g.node);
    });
    scheduleMarkerLayout();
  }

  var markerFrame = 0;
  function scheduleMarkerLayout() {
    if (markerFrame) return;
    // Two frames: the chart redraws (and rescales its prices) in the first.
    markerFrame = requestAnimationFrame(function () {
      markerFrame = requestAnimationFrame(function () {
        markerFrame = 0;
        layoutMarkers();
      });
    });
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function layoutMarkers() {
    var L = state.chart.layout;
    if (!L || !L.chart || !L.container.isConnected) return;
    var ts = L.chart.timeScale();
    var paneW = ts.width();
    var paneH = L.container.clientHeight - ts.height();
    var x0 = ts.logicalToCoordinate(0);
    var x1 = ts.logicalToCoordinate(1);
    var spacing = isNum(x0) && isNum(x1) ? x1 - x0 : 0;
    var compact = spacing < LABEL_MIN_SPACING;
    var placed = [];
    // The drawn line's tools, at the left just above it.
    var tools = $('hline-tools');
    var hy = isNum(state.chart.hline) ? L.series.priceToCoordinate(state.chart.hline) : null;
    if (isNum(hy) && hy >= 0 && hy <= paneH) {
      tools.hidden = false;
      var th = tools.offsetHeight;
      var tbox = { left: 4, top: Math.max(0, hy - th - 3) };
      tbox.right = tbox.left + tools.offsetWidth;
      tbox.bottom = tbox.top + th;
      tools.style.left = tbox.left + 'px';
      tools.style.top = tbox.top + 'px';
      placed.push(tbox);
    } else {
      tools.hidden = true;
    }
    // Target labels first, right-aligned just above their line.
    L.targets.forEach(function (tg) {
      var y = L.series.priceToCoordinate(tg.price);
      var node = tg.node;
      if (!isNum(y) || y < 0 || y > paneH) { node.hidden = true; return; }
      node.hidden = false;
      var w = node.offsetWidth;
      var h = node.offsetHeight;
      var box = { left: paneW - w - 6, top: Math.max(0, y - h - 2) };
      box.right = box.left + w;
      box.bottom = box.top + h;
      node.style.left = box.left + 'px';
      node.style.top = box.top + 'px';
      placed.push(box);
    });
    var byTime = {};
    L.bars.forEach(function (b) { byTime[b.date] = b; });
    L.groups.forEach(function (g) {
      var node = g.node;
      var x = ts.timeToCoordinate(g.time);
      var b = byTime[g.time];
      var yHigh = b ? L.series.priceToCoordinate(isNum(b.high) ? b.high : b.close) : null;
      var yLow = b ? L.series.priceToCoordinate(isNum(b.low) ? b.low : b.close) : null;
      if (!isNum(x) || x < 0 || x > paneW || !isNum(yHigh)) { node.hidden = true; g.box = null; return; }
      node.hidden = false;
      node.classList.toggle('dot', compact);
      var w = node.offsetWidth;
      var h = node.offsetHeight;
      var left = Math.min(Math.max(0, x - w / 2), Math.max(0, paneW - w));
      function fit(top, up) {
        for (var guard = 0; guard < 200; guard++) {
          var box = { left: left, right: left + w, top: top, bottom: top + h };
          if (box.top < 0 || box.bottom > paneH) return null;
          var hit = placed.filter(function (p) { return overlaps(box, p); });
          if (!hit.length) return box;
          top = up
            ? Math.min.apply(null, hit.map(function (p) { return p.top; })) - MARKER_GAP - h
            : Math.max.apply(null, hit.map(function (p) { return p.bottom; })) + MARKER_GAP;
        }
        return null;
      }
      // Above the bar or below it, whichever is nearer once the boxes in the way are passed.
      var upAt = yHigh - 6 - h;
      var downAt = (isNum(yLow) ? yLow : yHigh) + 6;
      var up = fit(upAt, true);
      var down = fit(downAt, false);
      var box = up && down ? (down.top - downAt < upAt - up.top ? down : up) : up || down;
      g.box = box;
      if (!box) { node.hidden = true; return; }
      node.style.left = box.left + 'px';
      node.style.top = box.top + 'px';
      node.setAttribute('data-below', String(box.top > yHigh));
      placed.push(box);
    });
    var layer = $('chart-markers');
    layer.setAttribute('data-compact', String(compact));
    layer.setAttribute('data-layout', String((+layer.getAttribute('data-layout') || 0) + 1));
    if (state.chart.popFor !== null && state.chart.popFor !== undefined) positionMarkerPop();
  }

  function showMarkerPop(i, pin) {
    var L = state.chart.layout;
    var g = L && L.groups[i];
    if (!g) return;
    var pop = $('marker-pop');
    if (state.chart.popFor !== null && state.chart.popFor !== undefined && L.groups[state.chart.popFor]) {
      L.groups[state.chart.popFor].node.setAttribute('aria-expanded', 'false');
    }
    state.chart.popFor = i;
    state.chart.popPinned = !!pin;
    clear(pop);
    pop.appendChild(el('div', { className: 'tt-date', text: periodWords(g.time) + ' · ' + tn('eventsInWeek', g.events.length) }));
    var ul = el('ul');
    g.events.forEach(function (x) {
      ul.appendChild(el('li', null, [
        el('strong', { text: x.n + '. ' }), fmtDate(x.event.date) + ' ' + eventTitle(x.event) + ' ',
        el('span', { className: 'tag', text: catLabel(x.event.category) }),
      ]));
    });
    pop.appendChild(ul);
    pop.hidden = false;
    g.node.setAttribute('aria-expanded', 'true');
    $('chart-tooltip').hidden = true;
    positionMarkerPop();
  }

  function positionMarkerPop() {
    var L = state.chart.layout;
    var g = L && L.groups[state.chart.popFor];
    var pop = $('marker-pop');
    if (!g || !g.box || g.node.hidden) { hideMarkerPop(); return; }
    var w = L.container.clientWidth;
    var pw = pop.offsetWidth;
    var left = Math.min(Math.max(4, (g.box.left + g.box.right) / 2 - pw / 2), Math.max(4, w - pw - 4));
    var top = g.box.bottom + 6;
    if (top + pop.offsetHeight > L.container.clientHeight) top = Math.max(4, g.box.top - pop.offsetHeight - 6);
    pop.style.left = left + 'px';
    pop.style.top = top + 'px';
  }

  function hideMarkerPop() {
    var L = state.chart.layout;
    if (L && state.chart.popFor !== null && state.chart.popFor !== undefined && L.groups[state.chart.popFor]) {
      L.groups[state.chart.popFor].node.setAttribute('aria-expanded', 'false');
    }
    state.chart.popFor = null;
    state.chart.popPinned = false;
    var pop = $('marker-pop');
    if (pop) pop.hidden = true;
  }

  // ---------------------------------------------------------------- chart: a drawn line

  // A horizontal line the user draws (Draw line, then a click on the chart), drags up and
  // down, and turns into a target.
  function setHline(p) {
    var L = state.chart.layout;
    state.chart.hline = p === null ? null : Math.round(p * 100) / 100;
    $('hline-tools').hidden = state.chart.hline === null;
    if (!L) return;
    if (state.chart.hline === null) {
      if (L.hline) L.series.removePriceLine(L.hline);
      L.hline = null;
    } else if (L.hline) {
      L.hline.applyOptions({ price: state.chart.hline });
    } else {
      L.hline = L.series.createPriceLine({
        price: state.chart.hline, color: col('focus'), lineWidth: 1, lineStyle: 0, axisLabelVisible: true, title: '',
      });
    }
    $('hline-target').textContent = t('hlineToTarget', { v: fmtNum(state.chart.hline, 0) });
    scheduleMarkerLayout();
  }

  function setDrawing(on) {
    state.chart.drawing = on;
    $('chart-hline').setAttribute('aria-pressed', String(on));
    $('price-chart').classList.toggle('drawing', on);
  }

  function initHline() {
    var box = $('price-chart');
    var drag = false;
    function y(e) { return e.clientY - box.getBoundingClientRect().top; }
    function near(e) {
      var L = state.chart.layout;
      if (!L || !isNum(state.chart.hline)) return false;
      var ly = L.series.priceToCoordinate(state.chart.hline);
      return isNum(ly) && Math.abs(ly - y(e)) <= 6;
    }
    function stop(e) { e.preventDefault(); e.stopPropagation(); }
    box.addEventListener('pointerdown', function (e) {
      var L = state.chart.layout;
      if (!L) return;
      if (state.chart.drawing) {
        var p = L.series.coordinateToPrice(y(e));
        if (!isNum(p)) return;
        setDrawing(false);
        setHline(p);
        stop(e);
      } else if (near(e)) {
        drag = true;
        L.chart.applyOptions({ handleScroll: false, handleScale: false });
        if (box.setPointerCapture) box.setPointerCapture(e.pointerId);
        stop(e);
      }
    }, true);
    box.addEventListener('pointermove', function (e) {
      if (!drag) {
        box.style.cursor = near(e) ? 'ns-resize' : '';
        return;
      }
      var p = state.chart.layout.series.coordinateToPrice(y(e));
      if (isNum(p)) setHline(p);
      stop(e);
    }, true);
    function end() {
      if (!drag) return;
      drag = false;
      if (state.chart.layout) state.chart.layout.chart.applyOptions({ handleScroll: true, handleScale: true });
    }
    box.addEventListener('pointerup', end, true);
    box.addEventListener('pointercancel', end, true);
    $('chart-hline').addEventListener('click', function () { setDrawing(!state.chart.drawing); });
    $('hline-target').addEventListener('click', function () {
      if (!isNum(state.chart.hline)) return;
      var f = $('chart-targets');
      var v = String(Math.round(state.chart.hline));
      f.value = f.value.trim() ? f.value.trim() + ', ' + v : v;
      setHline(null);
      f.dispatchEvent(new Event('change'));
    });
    $('hline-remove').addEventListener('click', function () { setHline(null); });
  }

  // `Week to 2025-02-14`, `Month to …`, or the day.
  function periodWords(date) {
    var f = state.chart.data ? state.chart.data.freq : 'weekly';
    if (f === 'daily') return fmtDate(date);
    return t(f === 'monthly' ? 'monthTo' : 'weekTo', { date: fmtDate(date) });
  }
  function freqWords(f) { return t(f === 'daily' ? 'freqDaily' : f === 'monthly' ? 'freqMonthly' : 'freqWeekly'); }

  function isGprSeries(id) { return /^gpr/.test(id); }
  // Whether a series' values are fixings (the LBMA's auctions, `gold-usd-lbma-pm`) rather
  // than closes: its last value is then its latest fixing (直近の値決め), not its close.
  function isFixing(id) { return /(^|-)lbma(-|$)/.test(id || ''); }

  function minDate(a, b) { return !b || (a && a < b) ? a : b; }

  // `Target 3,000`, `目標 3,000ドル`.
  function targetTitle(v, meta) {
    var cur = meta && meta.currency;
    if (state.lang === 'ja' && cur === 'USD') return t('targetLineUsd', { v: fmtNum(v, 0) });
    if (state.lang === 'ja' && cur === 'JPY') return t('targetLineJpy', { v: fmtNum(v, 0) });
    return t('targetLine', { v: fmtNum(v, 0) });
  }

  function syncCharts(a, aSeries, b, bSeries, bars, gprByWeek, freq) {
    var busy = false;
    function link(src, dst) {
      src.timeScale().subscribeVisibleLogicalRangeChange(function (range) {
        if (busy || !range) return;
        busy = true;
        try { dst.timeScale().setVisibleLogicalRange(range); } finally { busy = false; }
      });
    }
    link(a, b);
    link(b, a);
    if (typeof a.setCrosshairPosition !== 'function') return;
    var closeBy = {};
    bars.forEach(function (x) { closeBy[x.date] = x.close; });
    var crossBusy = false;
    a.subscribeCrosshairMove(function (p) {
      if (crossBusy) return;
      crossBusy = true;
      try {
        var key = p && p.time ? timeToIso(p.time) : null;
        var v = key ? gprByWeek[periodKey(key, freq)] : undefined;
        if (key && isNum(v)) b.setCrosshairPosition(v, key, bSeries);
        else b.clearCrosshairPosition();
      } finally { crossBusy = false; }
    });
    b.subscribeCrosshairMove(function (p) {
      if (crossBusy) return;
      crossBusy = true;
      try {
        var key = p && p.time ? timeToIso(p.time) : null;
        if (key && isNum(closeBy[key])) a.setCrosshairPosition(closeBy[key], key, aSeries);
        else a.clearCrosshairPosition();
      } finally { crossBusy = false; }
    });
  }

  // The D/W/M switch and the log-scale box as the state has them.
  function setChartTools() {
    ['daily', 'weekly', 'monthly'].forEach(function (f) {
      $('chart-freq-' + f).setAttribute('aria-pressed', String(state.chart.freq === f));
    });
    $('chart-log').checked = !!state.chart.log;
  }

  function initChartTab() {
    $('chart-form').addEventListener('submit', function (e) {
      e.preventDefault();
      clearError();
      state.loaded.chart = state.asOf;
      saveView(true);
      loadChart();
    });
    $('chart-series').addEventListener('change', function () {
      clearError();
      state.loaded.chart = state.asOf;
      saveView(true);
      loadChart();
    });
    $('chart-from').addEventListener('change', function () {
      if (!/^\d{4}-\d{2}-\d{2}$/.test($('chart-from').value)) return;
      state.chart.fromAuto = false;
      clearError();
      saveView(true);
      loadChart();
    });
    $('chart-show-events').addEventListener('change', function () { if (state.chart.data) renderChart(); });
    $('chart-series-search').addEventListener('input', filterSeries);
    $('chart-series-search').addEventListener('keydown', function (e) {
      if (e.key !== 'Enter') return;
      // The first series found is shown (the form's submit loads it).
      var sel = $('chart-series');
      var cur = sel.options[sel.selectedIndex];
      if (!cur || cur.hidden) {
        var first = Array.prototype.filter.call(sel.options, function (o) { return !o.hidden; })[0];
        if (first) sel.value = first.value;
        else e.preventDefault();
      }
    });
    ['daily', 'weekly', 'monthly'].forEach(function (f) {
      $('chart-freq-' + f).addEventListener('click', function () {
        if (state.chart.freq === f) return;
        state.chart.freq = f;
        setChartTools();
        clearError();
        state.loaded.chart = state.asOf;
        saveView(true);
        loadChart();
      });
    });
    $('chart-log').addEventListener('change', function () {
      state.chart.log = $('chart-log').checked;
      saveView(true);
      var L = state.chart.layout;
      if (L) {
        L.chart.priceScale('right').applyOptions({ mode: state.chart.log ? 1 : 0, autoScale: true });
        scheduleMarkerLayout();
      }
    });
    $('chart-reset').addEventListener('click', function () {
      state.chart.charts.forEach(function (c) {
        c.priceScale('right').applyOptions({ autoScale: true });
        fitAll(c, state.chart.layout ? state.chart.layout.bars.length : 0);
      });
      scheduleMarkerLayout();
    });
    $('chart-targets').addEventListener('change', function () {
      saveView(true);
      if (state.chart.data) renderChart();
    });
  }

  // ---------------------------------------------------------------- 2. scenario: a small TOML reader

  // Reads the subset of TOML scenario files use, keeping where every value sits in the text
  // so that the form can rewrite one value and leave comments and layout alone.
  function TomlError(msg, pos) { this.message = msg; this.pos = pos; }

  function parseValue(text, i) {
    var n = text.length;
    function ws() { while (i < n && (text[i] === ' ' || text[i] === '\t')) i++; }
    function wsnl() {
      for (;;) {
        while (i < n && /[ \t\r\n]/.test(text[i])) i++;
        if (text[i] === '#') { while (i < n && text[i] !== '\n') i++; } else break;
      }
    }
    function basicString() {
      if (text.substr(i, 3) === '"""') {
        var end = text.indexOf('"""', i + 3);
        if (end < 0) throw new TomlError('unterminated string', i);
        var raw = text.slice(i + 3, end).replace(/^\r?\n/, '');
        i = end + 3;
        return unescape(raw);
      }
      var j = i + 1;
      var out = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\n') throw new TomlError('unterminated string', i);
        if (text[j] === '\\') { out += text.substr(j, 2); j += 2; continue; }
        out += text[j];
        j++;
      }
      if (j >= n) throw new TomlError('unterminated string', i);
      i = j + 1;
      return unescape(out);
    }
    function unescape(s) {
      return s.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, function (m, c) {
        if (c[0] === 'u' || c[0] === 'U') return String.fromCodePoint(parseInt(c.slice(1), 16));
        return { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' }[c] || c;
      });
    }
    function literalString() {
      if (text.substr(i, 3) === "'''") {
        var end = text.indexOf("'''", i + 3);
        if (end < 0) throw new TomlError('unterminated string', i);
        var raw = text.slice(i + 3, end).replace(/^\r?\n/, '');
        i = end + 3;
        return raw;
      }
      var e = text.indexOf("'", i + 1);
      var nl = text.indexOf('\n', i + 1);
      if (e < 0 || (nl >= 0 && nl < e)) throw new TomlError('unterminated string', i);
      var s = text.slice(i + 1, e);
      i = e + 1;
      return s;
    }
    function key() {
      ws();
      if (text[i] === '"') return basicString();
      if (text[i] === "'") return literalString();
      var m = /^[A-Za-z0-9_\-.]+/.exec(text.slice(i, i + 200));
      if (!m) throw new TomlError('expected a key', i);
      i += m[0].length;
      return m[0];
    }
    function value() {
      ws();
      var c = text[i];
      if (c === '"') return basicString();
      if (c === "'") return literalString();
      if (c === '[') {
        i++;
        var arr = [];
        for (;;) {
          wsnl();
          if (text[i] === ']') { i++; return arr; }
          arr.push(value());
          wsnl();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === ']') { i++; return arr; }
          throw new TomlError('expected , or ] in an array', i);
        }
      }
      if (c === '{') {
        i++;
        var obj = {};
        ws();
        if (text[i] === '}') { i++; return obj; }
        for (;;) {
          var k = key();
          ws();
          if (text[i] !== '=') throw new TomlError('expected = in an inline table', i);
          i++;
          obj[k] = value();
          ws();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === '}') { i++; return obj; }
          throw new TomlError('expected , or } in an inline table', i);
        }
      }
      var m = /^[^\s,\]\}#]+/.exec(text.slice(i, i + 100));
      if (!m) throw new TomlError('expected a value', i);
      i += m[0].length;
      var tok = m[0];
      if (tok === 'true') return true;
      if (tok === 'false') return false;
      var num = tok.replace(/_/g, '');
      if (/^[+-]?(\d+(\.\d*)?([eE][+-]?\d+)?|inf|nan)$/.test(num)) return parseFloat(num);
      return tok; // dates and the like
    }
    var v = value();
    return { value: v, end: i };
  }

  function scanToml(text) {
    var entries = [];
    var tables = [];
    var root = { name: '', array: false, index: 0, start: 0, keysEnd: 0 };
    tables.push(root);
    var cur = root;
    var counts = {};
    var pos = 0;
    var n = text.length;
    while (pos < n) {
      var lineEnd = text.indexOf('\n', pos);
      if (lineEnd < 0) lineEnd = n;
      var line = text.slice(pos, lineEnd);
      var trimmed = line.trim();
      if (!trimmed || trimmed[0] === '#') { pos = lineEnd + 1; continue; }
      var h = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?/.exec(line);
      if (h) {
        var name = h[2].replace(/\s*\.\s*/g, '.');
        var isArr = h[1] === '[[';
        counts[name] = (counts[name] || 0) + (isArr ? 1 : 0);
        cur = { name: name, array: isArr, index: isArr ? counts[name] - 1 : 0, start: pos, keysEnd: lineEnd };
        tables.push(cur);
        pos = lineEnd + 1;
        continue;
      }
      var m = /^(\s*)("[^"]*"|'[^']*'|[A-Za-z0-9_\-.]+)\s*=\s*/.exec(line);
      if (!m) throw new TomlError('cannot read line: ' + trimmed.slice(0, 40), pos);
      var k = m[2].replace(/^["']|["']$/g, '');
      var vStart = pos + m[0].length;
      var r = parseValue(text, vStart);
      entries.push({ table: cur, key: k, value: r.value, vStart: vStart, vEnd: r.end, lineStart: pos });
      var e = text.indexOf('\n', r.end);
      if (e < 0) e = n;
      cur.keysEnd = e;
      pos = e + 1;
    }
    return { entries: entries, tables: tables };
  }

  function readScenarioModel(text) {
    var sc = scanToml(text);
    var top = {};
    sc.entries.forEach(function (e) { if (e.table.name === '') top[e.key] = e; });
    var scenarioTables = sc.tables.filter(function (tb) { return tb.name === 'scenario' && tb.array; });
    var scenarios = scenarioTables.map(function (tb, k) {
      var next = scenarioTables[k + 1];
      var own = {};
      sc.entries.forEach(function (e) { if (e.table === tb) own[e.key] = e; });
      // `[scenario.shock]` written as a sub-table of this scenario.
      var shockTable = sc.tables.filter(function (x) {
        return x.name === 'scenario.shock' && x.start > tb.start && (!next || x.start < next.start);
      })[0] || null;
      var shockEntries = {};
      if (shockTable) sc.entries.forEach(function (e) { if (e.table === shockTable) shockEntries[e.key] = e; });
      var rawShock = own.shock ? own.shock.value : shockTable ? mapValues(shockEntries) : null;
      return {
        table: tb,
        entries: own,
        shockTable: shockTable,
        shockEntries: shockEntries,
        id: own.id ? String(own.id.value) : 'scenario-' + (k + 1),
        name: own.name ? String(own.name.value) : '',
        name_ja: own.name_ja ? String(own.name_ja.value) : '',
        probability: own.probability ? own.probability.value : null,
        window: own.window ? own.window.value : null,
        requires: own.requires ? own.requires.value : [],
        excludes: own.excludes ? own.excludes.value : [],
        spread_days: own.spread_days ? own.spread_days.value : null,
        volatility: own.volatility ? own.volatility.value : null,
        shock: shockKind(rawShock),
        rawShock: rawShock,
      };
    });
    return {
      scan: sc,
      top: top,
      title: top.title ? String(top.title.value) : '',
      title_ja: top.title_ja ? String(top.title_ja.value) : '',
      as_of: top.as_of ? String(top.as_of.value) : '',
      horizon: top.horizon ? String(top.horizon.value) : '',
      series: top.series ? String(top.series.value) : DEFAULT_SERIES,
      targets: top.targets && Array.isArray(top.targets.value) ? top.targets.value : [],
      scenarios: scenarios,
    };
  }
  function mapValues(entries) {
    var o = {};
    Object.keys(entries).forEach(function (k) { o[k] = entries[k].value; });
    return o;
  }
  // The file's shock (or the server's parsed form) as { kind, ... }.
  function shockKind(raw) {
    if (raw === null || raw === undefined || raw === 'none') return { kind: 'none' };
    if (typeof raw === 'object') {
      if (raw.kind) return raw;
      if (raw.fixed) return { kind: 'fixed', pct: raw.fixed.pct };
      if (raw.normal) return { kind: 'normal', mean_pct: raw.normal.mean_pct, sd_pct: raw.normal.sd_pct };
      if (raw.analogs && typeof raw.analogs === 'object') return { kind: 'analogs', category: raw.analogs.category };
      if (typeof raw.analogs === 'string') return { kind: 'analogs', category: raw.analogs };
      if ('mean_pct' in raw) return { kind: 'normal', mean_pct: raw.mean_pct, sd_pct: 'sd_pct' in raw ? raw.sd_pct : 0 };
      if ('pct' in raw) return { kind: 'fixed', pct: raw.pct };
    }
    return { kind: 'unknown' };
  }

  function tomlNumber(x) {
    if (!isNum(x)) return String(x);
    if (Number.isInteger(x)) return x.toFixed(1);
    return String(x);
  }
  function tomlString(s) {
    return JSON.stringify(String(s)).replace(/[\u007f]/g, function (c) {
      return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }
  function tomlInline(obj, order) {
    var keys = order.filter(function (k) { return k in obj; });
    Object.keys(obj).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
    return '{ ' + keys.map(function (k) {
      var v = obj[k];
      return k + ' = ' + (typeof v === 'number' ? tomlNumber(v) : typeof v === 'string' ? tomlString(v) : String(v));
    }).join(', ') + ' }';
  }
  function splice(text, start, end, repl) { return text.slice(0, start) + repl + text.slice(end); }

  // Puts `key = value` in a table: replaces the value, or adds a line after the table's keys.
  function setKey(text, table, entry, key, serialized) {
    if (entry) return splice(text, entry.vStart, entry.vEnd, serialized);
    var at = table.keysEnd;
    if (table.name === '' && at === 0) {
      // No top-level keys yet: before the first table.
      return serialized === null ? text : key + ' = ' + serialized + '\n' + text;
    }
    return text.slice(0, at) + '\n' + key + ' = ' + serialized + text.slice(at);
  }

  // The targets field: null (and the field flagged) when part of it cannot be read.
  function parseTargetList(text) {
    var r = parseAmounts(text);
    var field = $('sc-targets');
    if (r.bad || !r.values.length) {
      field.classList.add('invalid');
      field.setAttribute('aria-invalid', 'true');
      field.title = r.bad ? t('unreadable', { text: r.bad }) : t('noTargets');
      return null;
    }
    field.title = '';
    return r.values;
  }
  function targetsToToml(list) {
    return '[' + list.map(function (v) { return typeof v === 'number' ? tomlNumber(v) : tomlString(v); }).join(', ') + ']';
  }
  function targetsToText(list) {
    return list.map(function (v) { return typeof v === 'number' ? String(v) : String(v); }).join(', ');
  }

  // Applies one form edit to the TOML in the textarea.
  function editToml(fn) {
    var ta = $('scenario-toml');
    var model;
    try { model = readScenarioModel(ta.value); } catch (e) {
      setStatus($('run-status'), t('tomlUnreadable', { msg: e.message }));
      return;
    }
    var out = fn(ta.value, model);
    if (typeof out === 'string' && out !== ta.value) {
      ta.value = out;
      scheduleBaseRates();
    }
  }

  // The base rate beside each judged probability (POST /api/scenarios/check): asked for a
  // moment after the text stops changing; an answer to an older text is dropped.
  var baseRateTimer = null;
  var baseRateSeq = 0;
  function scheduleBaseRates() {
    var text = $('scenario-toml').value;
    var b = state.scenario.baseRates;
    if (b && b.text === text) { fillBaseRates(); return; }
    clearTimeout(baseRateTimer);
    baseRateTimer = setTimeout(function () { loadBaseRates(text); }, 400);
  }
  function loadBaseRates(text) {
    var seq = ++baseRateSeq;
    api('/api/scenarios/check', { method: 'POST', body: { toml: text } }).then(function (d) {
      if (seq !== baseRateSeq) return;
      state.scenario.baseRates = { text: text, rows: (d && d.base_rates) || [], error: null };
      fillBaseRates();
    }, function (err) {
      if (seq !== baseRateSeq) return;
      // A file that does not check yet has no base rates; running it says why.
      state.scenario.baseRates = { text: text, rows: [], error: err.message };
      fillBaseRates();
    });
  }
  function fillBaseRates() {
    var b = state.scenario.baseRates;
    if (!b) return;
    var byId = {};
    b.rows.forEach(function (r) { byId[r.scenario] = r; });
    var any = false;
    Array.prototype.forEach.call(document.querySelectorAll('#scenario-rows td.base-rate'), function (td) {
      var r = byId[td.getAttribute('data-scenario')];
      clear(td);
      if (!r) {
        td.appendChild(el('span', { className: 'none', text: '—', title: b.error || t('baseRateNone') }));
        return;
      }
      any = true;
      td.setAttribute('data-p', String(r.p));
      td.title = fmtDate(r.window_from) + ' – ' + fmtDate(r.window_to);
      td.appendChild(el('span', { className: 'p', text: fmtNum(r.p, 3) }));
      td.appendChild(el('span', { className: 'ci', text: t('baseRateInterval', { lo: fmtNum(r.p_lo, 3), hi: fmtNum(r.p_hi, 3) }) }));
      td.appendChild(el('span', {
        className: 'cls',
        text: t('baseRateClass', { cat: catLabel(r.category), n: fmtInt(r.n), rate: fmtNum(r.rate_per_year, 2), days: fmtInt(r.window_days) }),
      }));
    });
    $('base-rate-note').hidden = !any;
  }

  function scenarioById(model, id) {
    return model.scenarios.filter(function (s) { return s.id === id; })[0] || null;
  }

  // A scenario's shock with `field` set to `value` (null: without it); the text as it is when
  // the field already has that value.
  function shockText(text, model, id, field, value) {
    var s = scenarioById(model, id);
    if (!s) return text;
    if (s.entries.shock) {
      var raw = s.entries.shock.value;
      if (typeof raw !== 'object' || raw === null) return text;
      if (raw[field] === (value === null ? undefined : value)) return text;
      var obj = {};
      Object.keys(raw).forEach(function (k) { obj[k] = raw[k]; });
      if (value === null) delete obj[field];
      else obj[field] = value;
      return splice(text, s.entries.shock.vStart, s.entries.shock.vEnd, tomlInline(obj, ['analogs', 'pct', 'mean_pct', 'sd_pct']));
    }
    if (s.shockTable) {
      var entry = s.shockEntries[field];
      if (value === null) return entry ? dropKey(text, entry) : text;
      if (entry && entry.value === value) return text;
      return setKey(text, s.shockTable, entry, field, tomlNumber(value));
    }
    return text;
  }

  // A key's line taken out of the text.
  function dropKey(text, entry) {
    var end = text.indexOf('\n', entry.vEnd);
    return text.slice(0, entry.lineStart) + (end < 0 ? '' : text.slice(end + 1));
  }

  // Where a form field's value lives in the file: `get` reads it (null: absent), `put` writes
  // one (null: takes the key out). A plain key's value is its TOML text, kept as written.
  function keySlot(where) {
    return {
      get: function (text, model) {
        var w = where(model);
        return w && w.entry ? text.slice(w.entry.vStart, w.entry.vEnd) : null;
      },
      put: function (text, model, raw) {
        var w = where(model);
        if (!w) return text;
        if (raw === null) return w.entry ? dropKey(text, w.entry) : text;
        return setKey(text, w.table, w.entry, w.key, raw);
      },
    };
  }
  function shockSlot(id, field) {
    return {
      get: function (text, model) {
        var s = scenarioById(model, id);
        if (!s) return null;
        var v = s.entries.shock ? (s.entries.shock.value || {})[field]
          : s.shockEntries[field] ? s.shockEntries[field].value : undefined;
        return v === undefined ? null : v;
      },
      put: function (text, model, v) { return shockText(text, model, id, field, v); },
    };
  }

  // The fields the file does not follow now. Typing goes into the file as it is typed, but
  // the steps on the way can be read too ("3" on the way to "3l00", "1" on the way to "1e"):
  // a field that turns unreadable puts back, in the file, the value it had before the user
  // began typing in it (focused it), and the TOML panel says the file leaves that field out.
  // Once the field reads again the file follows it; it is settled when the user leaves it
  // readable (or when it was not being typed in: a value set at once). By field id:
  // { before: the value in the file before the edit, bad: whether it cannot be read now }.
  var tomlHeld = {};

  // One edit of a form field into the file: `value` for `slot.put`, or null when the field
  // cannot be read.
  function fieldToToml(input, slot, value) {
    editToml(function (text, model) {
      var held = tomlHeld[input.id];
      if (!held) held = tomlHeld[input.id] = { before: slot.get(text, model), bad: false };
      held.bad = value === null;
      if (held.bad) return slot.put(text, model, held.before);
      if (document.activeElement !== input) delete tomlHeld[input.id];
      return slot.put(text, model, value);
    });
    fillTomlHeld();
  }

  // A field left readable is settled.
  function settleField(input) {
    if (input && input.id && tomlHeld[input.id] && !tomlHeld[input.id].bad) delete tomlHeld[input.id];
  }

  function flagField(input, bad) {
    input.classList.toggle('invalid', bad);
    if (bad) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  // A field's name as its label says it (for a scenario's field, with the scenario's name).
  function fieldName(input) {
    var aria = input.getAttribute('aria-label');
    if (aria) return aria;
    var label = input.closest('label');
    var span = label ? label.querySelector('[data-i18n]') : null;
    return span ? span.textContent : input.id;
  }

  // The TOML panel's note of the fields the file leaves out.
  function fillTomlHeld() {
    var ids = Object.keys(tomlHeld).filter(function (id) { return tomlHeld[id].bad && $(id); });
    var note = $('toml-held');
    note.hidden = !ids.length;
    note.setAttribute('data-fields', ids.join(' '));
    note.textContent = ids.length ? t('tomlHeld', {
      fields: ids.map(function (id) { return fieldName($(id)); }).join(state.lang === 'ja' ? '、' : ', '),
    }) : '';
  }

  // Unsaved edits of the scenario editor, kept in this browser so that a reload (or a tab
  // closed by mistake) does not lose them; dropped by "Reload the example". Kept, they need
  // no warning before the page is left; only edits the browser would not keep (its storage
  // unavailable or full) make leaving the page ask first.
  var DRAFT_KEY = 'aurum.scenario.draft';
  function saveDraft() {
    try {
      localStorage.setItem(DRAFT_KEY, JSON.stringify({
        toml: $('scenario-toml').value, paths: $('sc-paths').value, seed: $('sc-seed').value,
        label: $('sc-label').value, publish: $('sc-publish').checked, saved: Date.now(),
      }));
      state.scenario.unkept = false;
    } catch (e) {
      state.scenario.unkept = true; // the edits live only in the page
    }
  }
  function readDraft() {
    try {
      var d = JSON.parse(localStorage.getItem(DRAFT_KEY) || 'null');
      return d && typeof d.toml === 'string' && d.toml.trim() ? d : null;
    } catch (e) { return null; }
  }
  function dropDraft() {
    state.scenario.unkept = false;
    try { localStorage.removeItem(DRAFT_KEY); } catch (e) { /* storage unavailable */ }
    $('draft-note').hidden = true;
  }
  function restoreDraft(d) {
    $('scenario-toml').value = d.toml;
    if (d.paths) $('sc-paths').value = d.paths;
    if (d.seed) $('sc-seed').value = d.seed;
    $('sc-label').value = d.label || '';
    $('sc-publish').checked = !!d.publish;
    state.scenario.draftSaved = d.saved;
    $('draft-note').hidden = false;
    fillDraftNote();
    renderScenarioForm();
  }
  function fillDraftNote() {
    var at = state.scenario.draftSaved ? new Date(state.scenario.draftSaved) : null;
    $('draft-note-text').textContent = t('draftRestored', {
      time: at ? at.toLocaleString(state.lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—',
    });
  }

  function loadScenario() {
    if ($('scenario-toml').value.trim()) { renderScenarioForm(); return Promise.resolve(); }
    var draft = readDraft();
    if (draft) { restoreDraft(draft); return Promise.resolve(); }
    return api('/api/scenarios/example').then(function (d) {
      state.scenario.example = d || {};
      $('scenario-toml').value = (d && (d.toml || d.text)) || '';
      renderScenarioForm();
    }, function (err) {
      state.loaded.scenario = null;
      showError({ message: t('noExample') + ' ' + err.message, status: err.status, field: null });
    });
  }

  // The number in a number field: NaN when empty or unreadable ("1e", which the browser keeps
  // as text but has no number for).
  function numberIn(input) {
    return (input.validity && input.validity.badInput) || input.value.trim() === '' ? NaN : Number(input.value);
  }

  function inputNumber(id, value, step, label) {
    return el('input', {
      type: 'number', id: id, step: step, value: isNum(value) ? String(value) : '',
      inputmode: 'decimal', 'aria-label': label,
    });
  }

  // `keep`: the fields the user is still correcting (see heldField) are kept as they are.
  function renderScenarioForm(keep) {
    var text = $('scenario-toml').value;
    // A new file (typed into the TOML box, loaded, restored): the form follows it.
    if (!keep) {
      tomlHeld = {};
      fillTomlHeld();
    }
    var model;
    try {
      model = readScenarioModel(text);
      setStatus($('run-status'), '');
    } catch (e) {
      setStatus($('run-status'), t('tomlUnreadable', { msg: e.message }));
      return;
    }
    var active = document.activeElement;
    // A field given the file's value is readable again: its marks and message go.
    function setIfIdle(id, v) {
      var x = $(id);
      if (x === active || (keep && heldField(x))) return;
      x.value = v;
      if (!keep) unmarkField(x);
    }
    // The title in the page's language: the Japanese one, when the file has it, is edited
    // in its place.
    setIfIdle('sc-title', titleKey(model) === 'title_ja' ? model.title_ja : model.title);
    setIfIdle('sc-as-of', model.as_of);
    setIfIdle('sc-horizon', model.horizon);
    setIfIdle('sc-targets', targetsToText(model.targets));

    var tbody = $('scenario-rows');
    // Keep the rows while the user types in one of them.
    var sameRows = tbody.children.length === model.scenarios.length && model.scenarios.every(function (s, k) {
      return tbody.children[k].getAttribute('data-id') === s.id;
    });
    if (sameRows && tbody.contains(active)) {
      model.scenarios.forEach(function (s) {
        var p = $('prob-' + s.id);
        if (p && p !== active) {
          p.value = isNum(s.probability) ? String(s.probability) : '';
          if (!keep) unmarkField(p);
        }
      });
      if (!keep) recountFormProblems();
      scheduleBaseRates();
      return;
    }
    // The rows' fields being corrected, with their messages, go into the new rows.
    var held = keep ? Array.prototype.filter.call(tbody.querySelectorAll('input'), heldField) : [];
    var heldMsgs = held.map(function (x) { return $(x.id + '-msg'); });
    clear(tbody);
    model.scenarios.forEach(function (s) {
      var name = state.lang === 'ja' && s.name_ja ? s.name_ja : s.name || s.id;
      var prob = inputNumber('prob-' + s.id, s.probability, '0.01', t('probability') + ': ' + name);
      prob.min = '0';
      prob.max = '1';
      prob.setAttribute('data-scenario', s.id);
      prob.addEventListener('input', function () {
        fillOverall();
        var v = numberIn(prob);
        flagField(prob, !isNum(v));
        fieldToToml(prob, keySlot(function (m) {
          var sc = scenarioById(m, s.id);
          return sc ? { table: sc.table, entry: sc.entries.probability, key: 'probability' } : null;
        }), isNum(v) ? tomlNumber(v) : null);
      });

      var shockCell = el('div', { className: 'shock' });
      var kind = s.shock.kind;
      var kindLabel = { none: t('shockNone'), fixed: t('shockFixed'), normal: t('shockNormal'), analogs: t('shockAnalogs') }[kind] || kind;
      shockCell.appendChild(el('span', { className: 'kind', text: kindLabel }));
      function shockInput(field, label, value) {
        var inp = inputNumber('shock-' + field.replace('_pct', '') + '-' + s.id, value, '0.1', label + ' (' + name + ')');
        inp.setAttribute('data-scenario', s.id);
        inp.setAttribute('data-field', field);
        inp.addEventListener('input', function () {
          var v = numberIn(inp);
          flagField(inp, !isNum(v));
          fieldToToml(inp, shockSlot(s.id, field), isNum(v) ? v : null);
        });
        shockCell.appendChild(el('label', null, [label, inp]));
      }
      if (kind === 'normal') {
        shockInput('mean_pct', t('shockMean'), s.shock.mean_pct);
        shockInput('sd_pct', t('shockSd'), s.shock.sd_pct);
      } else if (kind === 'fixed') {
        shockInput('pct', t('shockPct'), s.shock.pct);
      } else if (kind === 'analogs') {
        var cat = el('input', {
          type: 'text', id: 'shock-category-' + s.id, readonly: true, value: catLabel(s.shock.category),
          'aria-label': t('shockCategory') + ' (' + name + ')', size: '14', 'data-category': s.shock.category,
        });
        shockCell.appendChild(cat);
      }

      var cond = [];
      if (Array.isArray(s.window) && s.window.length === 2) cond.push(t('windowFromTo', { from: fmtDate(s.window[0]), to: fmtDate(s.window[1]) }));
      else cond.push(t('anyTime'));
      // Other scenarios by their names in the page's language.
      var names = function (ids) {
        return ids.map(function (id) {
          var o = scenarioById(model, id);
          return o ? (state.lang === 'ja' && o.name_ja ? o.name_ja : o.name || id) : id;
        }).join(', ');
      };
      if (s.requires && s.requires.length) cond.push(t('requires', { ids: names(s.requires) }));
      if (s.excludes && s.excludes.length) cond.push(t('excludes', { ids: names(s.excludes) }));
      if (isNum(s.spread_days) && s.spread_days > 1) cond.push(t('spreadDays', { d: s.spread_days }));
      if (s.volatility && typeof s.volatility === 'object') cond.push(t('volRegime', { m: fmtNum(s.volatility.multiplier, 1), d: s.volatility.days }));

      tbody.appendChild(el('tr', { 'data-id': s.id }, [
        el('td', null, [el('span', { className: 'sc-name', text: name }), el('span', { className: 'sc-id', text: s.id })]),
        el('td', { 'data-label': t('probability'), className: 'prob' }, [prob, el('span', { className: 'overall', id: 'overall-' + s.id, hidden: true })]),
        el('td', { 'data-label': t('baseRate'), className: 'base-rate', id: 'base-rate-' + s.id, 'data-scenario': s.id }),
        el('td', { 'data-label': t('shock') }, [shockCell]),
        el('td', { className: 'cond', text: cond.join(' · ') }),
      ]));
    });
    held.forEach(function (x, k) {
      var fresh = $(x.id);
      if (!fresh || fresh === x) return;
      x.setAttribute('aria-label', fresh.getAttribute('aria-label') || '');
      fresh.replaceWith(x);
      if (heldMsgs[k]) x.insertAdjacentElement('afterend', heldMsgs[k]);
    });
    if (!keep) recountFormProblems();
    fillBaseRates();
    scheduleBaseRates();
    fillOverall();
  }

  // Which title the title field shows and edits: `title_ja` on a Japanese page when the file
  // has one, else `title`.
  function titleKey(model) {
    return state.lang === 'ja' && model && model.title_ja ? 'title_ja' : 'title';
  }

  // A probability of at most two significant places: 40%, 4.5%, 0.45%.
  function pctShort(x) {
    if (!isNum(x)) return '—';
    var d = x >= 0.1 || x === 0 ? 0 : x >= 0.01 ? 1 : 2;
    return nf({ style: 'percent', maximumFractionDigits: d }).format(x);
  }

  // Beside the probability of a scenario that requires others: its probability given them,
  // and about how often it happens overall, as the engine draws it: it can happen only in
  // paths where each scenario it requires happened, so overall = its probability × the
  // overall chance of each one it requires (taken as independent). Windows (it happens only
  // after them and inside its own) and excludes can make it rarer still.
  function fillOverall() {
    var model = null;
    try { model = readScenarioModel($('scenario-toml').value); } catch (e) { model = null; }
    if (!model) return;
    // The fields are what the user typed last; the file lags a field that cannot be read.
    function own(s) {
      var f = $('prob-' + s.id);
      var v = f && f.value.trim() !== '' ? Number(f.value) : NaN;
      return isNum(v) ? v : s.probability;
    }
    var memo = {};
    function overall(s, seen) {
      if (memo[s.id] !== undefined) return memo[s.id];
      if (seen.indexOf(s.id) >= 0) return NaN; // a cycle: the server says so
      var p = own(s);
      if (!isNum(p) || p < 0 || p > 1) return NaN;
      (s.requires || []).forEach(function (r) {
        var parent = scenarioById(model, r);
        p *= parent ? overall(parent, seen.concat([s.id])) : NaN;
      });
      memo[s.id] = p;
      return p;
    }
    model.scenarios.forEach(function (s) {
      var span = $('overall-' + s.id);
      if (!span) return;
      if (!s.requires || !s.requires.length) { span.hidden = true; span.textContent = ''; span.removeAttribute('data-overall'); return; }
      var names = s.requires.map(function (r) {
        var parent = scenarioById(model, r);
        return parent ? (state.lang === 'ja' && parent.name_ja ? parent.name_ja : parent.name || r) : r;
      }).join(state.lang === 'ja' ? '・' : ', ');
      var p = own(s), all = overall(s, []);
      span.hidden = false;
      if (!isNum(p) || !isNum(all)) {
        span.textContent = t('givenOnly', { names: names });
        span.removeAttribute('data-overall');
      } else {
        span.textContent = t('givenOverall', { p: pctShort(p), names: names, overall: pctShort(all) });
        span.setAttribute('data-overall', String(all));
      }
      span.title = t('overallHelp');
    });
  }

  function initScenarioTab() {
    function top(id, key, serialize) {
      var input = $(id);
      input.addEventListener('input', function () {
        var s = serialize(input.value);
        flagField(input, s === null);
        fieldToToml(input, keySlot(function (model) {
          var k = typeof key === 'function' ? key(model) : key;
          return { table: model.scan.tables[0], entry: model.top[k], key: k };
        }), s);
      });
    }
    top('sc-title', titleKey, function (v) { return tomlString(v); });
    top('sc-as-of', 'as_of', function (v) { return /^\d{4}-\d{2}-\d{2}$/.test(v) ? tomlString(v) : null; });
    top('sc-horizon', 'horizon', function (v) { return /^\d{4}-\d{2}-\d{2}$/.test(v) ? tomlString(v) : null; });
    top('sc-targets', 'targets', function (v) {
      var list = parseTargetList(v);
      return list === null ? null : targetsToToml(list);
    });

    var pending = null;
    $('scenario-toml').addEventListener('input', function () {
      clearTimeout(pending);
      pending = setTimeout(renderScenarioForm, 250);
    });
    $('scenario-form').addEventListener('submit', function (e) {
      e.preventDefault();
      runScenario();
    });
    // Results of an earlier run are greyed out and marked the moment an input changes.
    function edited(e) {
      if (e.target && e.target.setAttribute && e.type === 'input') e.target.setAttribute('data-edited', '1');
      clearFieldMsg(e.target);
      saveDraft();
      var id = e.target && e.target.id;
      // Paths and seed are not in the file: a marked one loses its mark once it reads right.
      if ((id === 'sc-paths' || id === 'sc-seed') && e.target.classList.contains('invalid')) {
        var v = (e.target.validity && e.target.validity.badInput) || e.target.value.trim() === '' ? NaN : Number(e.target.value);
        if (Number.isInteger(v) && (id === 'sc-seed' ? v >= 0 : v > 0)) {
          flagField(e.target, false);
          recountFormProblems();
        }
      }
      if (id === 'sc-publish' || id === 'sc-label') return; // they do not change the numbers
      markResultsStale('edited');
    }
    $('scenario-form').addEventListener('input', edited);
    $('scenario-form').addEventListener('focusout', function (e) { settleField(e.target); });
    $('scenario-form').addEventListener('change', edited);
    $('results-rerun').addEventListener('click', function () { runScenario(); });
    $('cancel-run').addEventListener('click', function () {
      if (state.scenario.abort) state.scenario.abort.abort();
    });
    $('save-scenario').addEventListener('click', saveScenario);
    $('draft-discard').addEventListener('click', function () { $('reset-scenario').click(); });
    $('reset-scenario').addEventListener('click', function () {
      dropDraft();
      markResultsStale('edited');
      clearError();
      Array.prototype.forEach.call(document.querySelectorAll('#scenario-form [data-edited]'), function (x) { x.removeAttribute('data-edited'); });
      $('scenario-toml').value = '';
      clear($('scenario-rows'));
      state.loaded.scenario = 'any';
      loadScenario();
    });
  }

  function slug(s) {
    return String(s || 'scenario').toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'scenario';
  }

  function saveScenario() {
    var text = $('scenario-toml').value;
    var title = '';
    try { title = readScenarioModel(text).title; } catch (e) { title = ''; }
    var blob = new Blob([text], { type: 'application/toml;charset=utf-8' });
    var url = URL.createObjectURL(blob);
    var a = el('a', { href: url, download: slug(title) + '.toml' });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // Which inputs a server error about `field` points at.
  function scenarioMarks(field, message) {
    var model = null;
    try { model = readScenarioModel($('scenario-toml').value); } catch (e) { model = null; }
    var ids = model ? model.scenarios.map(function (s) { return s.id; }) : [];
    var m = /scenario "([^"]+)"/.exec(message) || /scenario '([^']+)'/.exec(message);
    var named = m && ids.indexOf(m[1]) >= 0 ? [m[1]] : ids.filter(function (id) { return message.indexOf(id) >= 0; });
    var topInputs = { title: 'sc-title', as_of: 'sc-as-of', horizon: 'sc-horizon', targets: 'sc-targets', paths: 'sc-paths', seed: 'sc-seed', toml: 'scenario-toml' };
    if (topInputs[field]) return [$(topInputs[field])];
    if (field === 'probability') {
      if (!named.length && model) {
        named = model.scenarios.filter(function (s) { return !(isNum(s.probability) && s.probability >= 0 && s.probability <= 1); })
          .map(function (s) { return s.id; });
      }
      if (!named.length) named = ids;
      return named.map(function (id) { return $('prob-' + id); });
    }
    if (field === 'shock') {
      var out = [];
      named.forEach(function (id) {
        ['mean', 'sd', 'pct', 'category'].forEach(function (f) { var x = $('shock-' + f + '-' + id); if (x) out.push(x); });
      });
      return out.length ? out : [$('scenario-toml')];
    }
    return [$('scenario-toml')];
  }

  // `why`: 'edited' (an input changed since the run) or 'failed' (a later run failed); null
  // marks the results current.
  function markResultsStale(why) {
    if (!state.scenario.result) why = null;
    if (why === 'edited' && state.scenario.stale === 'failed') why = 'failed';
    state.scenario.stale = why;
    var box = $('scenario-results');
    box.classList.toggle('stale', !!why);
    if (why) {
      box.setAttribute('data-stale', why);
      box.setAttribute('aria-describedby', 'results-stale');
    } else {
      box.removeAttribute('data-stale');
      box.removeAttribute('aria-describedby');
    }
    $('results-stale').hidden = !why;
    $('results-stale-text').textContent = why ? t(why === 'failed' ? 'staleFailed' : 'staleEdited') : '';
  }

  // The scenario form's fields that cannot be sent as they are, in the form's order, each
  // with what is wrong in the page's language. Numbers the form could not write into the
  // TOML count: the text would otherwise be sent stale.
  function scenarioProblems() {
    var out = [];
    function bad(input, key, vars) { if (input) out.push({ input: input, key: key, vars: vars || {} }); }
    function num(input) {
      return (input.validity && input.validity.badInput) || input.value.trim() === '' ? NaN : Number(input.value);
    }
    var day = /^\d{4}-\d{2}-\d{2}$/;
    var asOf = $('sc-as-of').value, horizon = $('sc-horizon').value;
    if (!day.test(asOf)) bad($('sc-as-of'), 'vDate');
    if (!day.test(horizon)) bad($('sc-horizon'), 'vDate');
    else if (day.test(asOf) && horizon <= asOf) bad($('sc-horizon'), 'vHorizon');
    var r = parseAmounts($('sc-targets').value);
    if (r.bad) bad($('sc-targets'), 'unreadable', { text: r.bad });
    else if (!r.values.length) bad($('sc-targets'), 'noTargets');
    var paths = num($('sc-paths'));
    if (!(Number.isInteger(paths) && paths > 0)) bad($('sc-paths'), 'vPaths');
    var seed = num($('sc-seed'));
    if (!(Number.isInteger(seed) && seed >= 0)) bad($('sc-seed'), 'vSeed');
    Array.prototype.forEach.call(document.querySelectorAll('#scenario-rows input[type="number"]'), function (x) {
      var v = num(x);
      if (!isNum(v)) bad(x, 'vNumber');
      else if (/^prob-/.test(x.id) && (v < 0 || v > 1)) bad(x, 'vProbability');
    });
    return out;
  }

  // Marks each bad field with its message beside it, sums them up in the error box and moves
  // the focus to the first.
  function showFormProblems(problems) {
    var n = problems.length;
    var key = n === 1 ? 'formInvalidOne' : 'formInvalid';
    showError({ message: t(key, { n: n }), field: 'form', words: { key: key, vars: { n: n } } }, function () {
      return problems.map(function (p) { return p.input; });
    });
    problems.forEach(function (p) {
      var id = p.input.id + '-msg';
      // The message's key and values stay on it, to word it again in another language.
      var msg = el('span', {
        className: 'field-msg', id: id, text: t(p.key, p.vars),
        'data-key': p.key, 'data-vars': JSON.stringify(p.vars || {}),
      });
      p.input.insertAdjacentElement('afterend', msg);
      p.input.setAttribute('aria-describedby', id);
    });
    problems[0].input.focus();
  }

  // The fields' messages in the page's language.
  function rewordFieldMsgs() {
    Array.prototype.forEach.call(document.querySelectorAll('.field-msg[data-key]'), function (m) {
      var vars = {};
      try { vars = JSON.parse(m.getAttribute('data-vars') || '{}'); } catch (e) { vars = {}; }
      m.textContent = t(m.getAttribute('data-key'), vars);
    });
  }

  // A scenario field the user typed into whose text the file could not take (an unreadable
  // number, date or target list), or one marked as wrong: a new rendering of the form (in
  // another language) keeps it as it is, the text and the marks.
  function heldField(x) {
    if (!x || !x.id) return false;
    if (x.classList.contains('invalid') || x.getAttribute('aria-invalid') === 'true' || $(x.id + '-msg')) return true;
    if (x.getAttribute('data-edited') !== '1') return false;
    if (x.validity && x.validity.badInput) return true;
    if (x.type === 'number') return x.value.trim() === '' || !isNum(Number(x.value));
    if (x.id === 'sc-as-of' || x.id === 'sc-horizon') return !/^\d{4}-\d{2}-\d{2}$/.test(x.value);
    if (x.id === 'sc-targets') return parseTargetList(x.value) === null;
    return false;
  }

  // A field the form filled in from the file: no longer marked, nor described as wrong.
  function unmarkField(input) {
    flagField(input, false);
    clearFieldMsg(input);
    if (input.id === 'sc-targets') input.title = t('scTargetsHelp');
  }

  // After the form is filled in from a new file: the error box of the form's check counts
  // the fields still marked, and goes when none is.
  function recountFormProblems() {
    var err = state.error;
    if (!err || err.field !== 'form' || !err.words || $('error').hidden) return;
    var n = document.querySelectorAll('#scenario-form .invalid, #scenario-form [aria-invalid="true"]').length;
    if (!n) { hideError(); return; }
    var key = n === 1 ? 'formInvalidOne' : 'formInvalid';
    err.words = { key: key, vars: { n: n } };
    err.message = t(key, { n: n });
    wordError(err);
  }

  // A field's message goes when the field is edited.
  function clearFieldMsg(input) {
    if (!input || !input.id) return;
    var m = $(input.id + '-msg');
    if (m && m.classList.contains('field-msg')) m.remove();
    if (input.getAttribute('aria-describedby') === input.id + '-msg') input.removeAttribute('aria-describedby');
  }

  function runScenario() {
    clearError();
    var text = $('scenario-toml').value;
    var paths = Number($('sc-paths').value);
    var seed = Number($('sc-seed').value);
    // Every field is checked at once; nothing is sent while one is bad. (Tests of the
    // server's own refusals switch the check off.)
    var problems = window.__aurumTest && window.__aurumTest.noValidate ? [] : scenarioProblems();
    if (problems.length) {
      showFormProblems(problems);
      return;
    }
    var label = $('sc-label').value.trim();
    var publish = $('sc-publish').checked;
    var model = null;
    try { model = readScenarioModel(text); } catch (e) { model = null; }
    var btn = $('run-scenario');
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    spinnerStatus($('run-status'), t('running'));
    // Cancel aborts the request; the server stops the work when the request goes away.
    var abort = typeof AbortController === 'function' ? new AbortController() : null;
    var cancelBtn = $('cancel-run');
    state.scenario.abort = abort;
    cancelBtn.hidden = !abort;
    var started = Date.now();
    // The run's progress, asked for under a name of this page's choosing while it runs.
    var follow = 'run-' + started.toString(36) + '-' + Math.random().toString(36).slice(2, 10);
    var polling = setInterval(function () {
      api('/api/progress/' + follow).then(function (p) {
        if (!polling || !p || !p.running || !isNum(p.fraction)) return;
        var step = /^simulating/.test(p.step || '') ? 'stepSimulating' : /^backtest/.test(p.step || '') ? 'stepBacktest' : 'running';
        spinnerStatus($('run-status'), t('runningPct', { step: t(step), pct: fmtPct(p.fraction, 0) }));
        $('run-status').setAttribute('data-fraction', String(p.fraction));
      }, function () { /* progress is a nicety: the run itself says what went wrong */ });
    }, 400);
    return api('/api/scenarios/run', { method: 'POST', signal: abort ? abort.signal : undefined, body: { toml: text, paths: paths, seed: seed, publish: publish, label: label || undefined, progress: follow } }).then(function (res) {
      state.scenario.result = res || {};
      state.scenario.resultModel = model;
      state.scenario.runParams = { paths: paths, seed: seed, publish: publish };
      setStatus($('run-status'), t('ranIn', { s: fmtNum((Date.now() - started) / 1000, 1) }), true);
      renderResults();
      markResultsStale(null);
      // Results below the form (a narrow screen) come into view; beside it (a wide one)
      // they already are, kept in view while the form scrolls.
      var top = $('scenario-results').getBoundingClientRect().top;
      if (top > window.innerHeight * 0.5 || top < -2) $('scenario-results').scrollIntoView({ block: 'start' });
      state.loaded.runs = null; // a new run and a new call were recorded
      state.runs.list = null;
      state.loaded.calls = null;
    }, function (err) {
      if (err && err.code === 'aborted') {
        // Stopped by the user: the form is as it was, earlier results keep their marking.
        setStatus($('run-status'), t('runCancelled'));
        return;
      }
      setStatus($('run-status'), '');
      markResultsStale('failed');
      showError(err, function (field, message) {
        return field === 'label' ? [$('sc-label')] : scenarioMarks(field, message);
      });
    }).then(function () {
      clearInterval(polling);
      polling = null;
      $('run-status').removeAttribute('data-fraction');
      if (state.scenario.abort === abort) state.scenario.abort = null;
      cancelBtn.hidden = true;
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
    });
  }

  function targetLabel(i, level) {
    var m = state.scenario.resultModel;
    var raw = m && m.targets ? m.targets[i] : undefined;
    if (typeof raw === 'string') return raw + ' (' + fmtNum(level, 2) + ')';
    return fmtNum(level, 2);
  }

  function renderResults() {
    var r = state.scenario.result;
    if (!r) return;
    $('scenario-results').hidden = false;
    // On a wide screen the results take a column beside the form (app.css).
    $('panel-scenario').classList.add('with-results');
    var model = state.scenario.resultModel;
    var start = r.start || {};
    var sub = t('resultsSub', {
      paths: fmtInt(r.paths || (state.scenario.runParams || {}).paths),
      seed: r.seed !== undefined ? r.seed : (state.scenario.runParams || {}).seed,
      price: fmtNum(start.price, 2), date: fmtDate(start.date || r.as_of), horizon: fmtDate(r.horizon),
    });
    var runId = r.run_id !== undefined ? r.run_id : r.run && r.run.id;
    if (runId !== undefined && runId !== null) sub += ' · ' + t('runRecorded', { id: runId });
    $('results-sub').textContent = sub;
    var title = model ? (state.lang === 'ja' && model.title_ja ? model.title_ja : model.title) : r.title;
    $('results-title').textContent = t('results') + (title ? ': ' + title : '');
    renderRecordedCall();

    var tbody = $('results-rows');
    clear(tbody);
    var thead = $('results-table').tHead.rows[0];
    clear(thead);
    [t('target'), t('pTouch'), t('se'), t('pClose'), t('se'), t('firstPassage')].forEach(function (h, k) {
      thead.appendChild(el('th', { scope: 'col', text: h, className: k === 2 || k === 4 ? 'se' : '' }));
    });
    (r.targets || []).forEach(function (tg, i) {
      var level = isNum(tg.target) ? tg.target : tg.level;
      var fp = tg.first_passage && tg.first_passage.median ? fmtDate(tg.first_passage.median) : '—';
      tbody.appendChild(el('tr', { 'data-target': String(level) }, [
        el('th', { scope: 'row', text: targetLabel(i, level) }),
        el('td', { id: 'p-touch-' + i, 'data-value': String(tg.p_touch), text: fmtPct(tg.p_touch, 1) }),
        el('td', { className: 'se', text: '±' + fmtNum(isNum(tg.p_touch_se) ? tg.p_touch_se * 100 : NaN, 1) }),
        el('td', { id: 'p-close-' + i, 'data-value': String(tg.p_close_above), text: fmtPct(tg.p_close_above, 1) }),
        el('td', { className: 'se', text: '±' + fmtNum(isNum(tg.p_close_above_se) ? tg.p_close_above_se * 100 : NaN, 1) }),
        el('td', { id: 'first-passage-' + i, text: fp }),
      ]));
    });

    var hb = $('happened-rows');
    clear(hb);
    (r.scenarios || []).forEach(function (s) {
      var ms = model ? scenarioById(model, s.id) : null;
      var name = ms ? (state.lang === 'ja' && ms.name_ja ? ms.name_ja : ms.name) : s.name || s.id;
      hb.appendChild(el('tr', null, [
        el('td', null, [el('span', { className: 'sc-name', text: name || s.id }), el('span', { className: 'sc-id', text: s.id })]),
        el('td', { text: ms && isNum(ms.probability) ? fmtPct(ms.probability, 1) : '—' }),
        el('td', { id: 'p-happened-' + s.id, text: fmtPct(s.p_happened, 1) + (isNum(s.p_happened_se) ? ' ±' + fmtNum(s.p_happened_se * 100, 1) : '') }),
      ]));
    });
    renderFan();
  }

  function renderFan() {
    var r = state.scenario.result;
    var box = $('fan-chart');
    destroyCharts(state.scenario.fanCharts);
    state.scenario.fanCharts = [];
    clear(box);
    var fan = (r && r.fan) || [];
    if (!LWC || !fan.length) { box.setAttribute('data-ready', '1'); return; }
    var chart = LWC.createChart(box, chartBaseOptions(false));
    state.scenario.fanCharts.push(chart);
    var fanSeries = (state.scenario.resultModel && state.scenario.resultModel.series) || r.series || DEFAULT_SERIES;
    var start = r.start || {};
    function line(key, opts) {
      var s = chart.addLineSeries(Object.assign({ priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false }, opts));
      var pts = [];
      if (start.date && isNum(start.price) && fan[0].date > start.date) pts.push({ time: start.date, value: start.price });
      fan.forEach(function (f) { if (isNum(f[key])) pts.push({ time: f.date, value: f[key] }); });
      s.setData(pts);
      return s;
    }
    var hist = state.scenario.history;
    var histSeries = chart.addLineSeries({ color: col('fan-history'), lineWidth: 1, priceLineVisible: false, lastValueVisible: false, title: '' });
    line('q05', { color: col('fan-outer'), lineWidth: 1, lineStyle: 2, title: '5%' });
    line('q25', { color: col('fan-inner'), lineWidth: 1, title: '25%' });
    var med = line('q50', { color: accent(), lineWidth: 2, title: t('median'), lastValueVisible: true, crosshairMarkerVisible: true });
    line('q75', { color: col('fan-inner'), lineWidth: 1, title: '75%' });
    line('q95', { color: col('fan-outer'), lineWidth: 1, lineStyle: 2, title: '95%' });
    (r.targets || []).forEach(function (tg) {
      var level = isNum(tg.target) ? tg.target : tg.level;
      if (isNum(level)) {
        med.createPriceLine({ price: level, color: col('line-muted'), lineWidth: 1, lineStyle: 1, axisLabelVisible: true, title: targetTitle(level, seriesMeta(fanSeries)) });
      }
    });
    box.setAttribute('data-points', String(fan.length));
    box.setAttribute('data-ready', '1');
    // Price history before the start, for context (fetched once per start date).
    var series = fanSeries;
    var key = series + '@' + start.date;
    function drawHistory(rows) {
      histSeries.setData(rows.filter(function (b) { return b && isNum(b.close) && (!start.date || b.date <= start.date); })
        .map(function (b) { return { time: b.date, value: b.close }; }));
      chart.timeScale().fitContent();
    }
    if (hist && hist.key === key) drawHistory(hist.rows);
    else if (start.date) {
      api('/api/series/' + encodeURIComponent(series) + '/bars?' + qs({ freq: 'daily', from: addDays(start.date, -150), as_of: start.date }))
        .then(function (d) {
          state.scenario.history = { key: key, rows: asArray(d, 'bars') };
          if (state.scenario.fanCharts.indexOf(chart) >= 0) drawHistory(state.scenario.history.rows);
        }, function () { /* the fan stands alone */ });
    }
    chart.timeScale().fitContent();
  }

  // ---------------------------------------------------------------- 3. events

  function loadEvents() {
    setStatus($('events-count'), t('loading'));
    return getEvents().then(function () {
      fillCategorySelects();
      renderEvents();
    }, function (err) {
      state.loaded.events = null;
      setStatus($('events-count'), '');
      showError(err);
    });
  }

  function filteredEvents() {
    var cat = $('ev-filter-category').value;
    var region = $('ev-filter-region').value;
    var from = $('ev-filter-from').value;
    var to = $('ev-filter-to').value;
    var q = $('ev-filter-q').value.trim().toLowerCase();
    var list = (state.events.list || []).filter(function (e) {
      if (cat && e.category !== cat) return false;
      if (region && e.region !== region) return false;
      if (from && e.date < from) return false;
      if (to && e.date > to) return false;
      if (q) {
        var hay = [e.id, e.title_en, e.title_ja, e.title, (e.actors || []).join(' '), e.source, e.note, catLabel(e.category), regionLabel(e.region)]
          .join(' ').toLowerCase();
        if (hay.indexOf(q) < 0) return false;
      }
      return true;
    });
    var desc = state.events.sortDesc;
    list.sort(function (a, b) {
      var c = a.date < b.date ? -1 : a.date > b.date ? 1 : (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      return desc ? -c : c;
    });
    return list;
  }

  function renderEvents() {
    var list = filteredEvents();
    var total = (state.events.list || []).length;
    $('events-count').textContent = state.asOf
      ? t('eventsCountAsOf', { n: fmtInt(list.length), total: fmtInt(total), date: fmtDate(state.asOf) })
      : t('eventsCount', { n: fmtInt(list.length), total: fmtInt(total) });
    var th = $('ev-sort-th');
    th.setAttribute('aria-sort', state.events.sortDesc ? 'descending' : 'ascending');
    $('ev-sort-arrow').textContent = state.events.sortDesc ? '▼' : '▲';
    $('ev-sort').setAttribute('title', state.events.sortDesc ? t('sortAsc') : t('sortDesc'));
    var tbody = $('events-rows');
    clear(tbody);
    var frag = document.createDocumentFragment();
    list.forEach(function (e) {
      var titleCell = el('td', { title: e.id }, [eventTitle(e)]);
      if (e.origin === 'user') titleCell.appendChild(el('span', { className: 'tag user', text: t('user') }));
      frag.appendChild(el('tr', { 'data-id': e.id }, [
        el('td', { className: 'd', text: fmtDate(e.date) }),
        titleCell,
        el('td', { className: 'nw', text: catLabel(e.category) }),
        el('td', { className: 'nw', text: regionLabel(e.region) }),
        el('td', { text: (e.actors || []).join(', ') }),
        el('td', { 'data-label': t('surprise'), text: e.surprise ? t('yes') : '' }),
      ]));
    });
    if (!list.length) frag.appendChild(el('tr', null, [el('td', { colspan: '6', className: 'sub' }, [el('span', { className: 'empty', text: t('noEvents') })])]));
    tbody.appendChild(frag);
  }

  function initEventsTab() {
    // Each filter chosen is a step in the history; the search text replaces the address as
    // it is typed.
    ['ev-filter-category', 'ev-filter-region', 'ev-filter-from', 'ev-filter-to'].forEach(function (id) {
      $(id).addEventListener('change', function () {
        if (state.events.list) renderEvents();
        saveView(true);
      });
    });
    $('ev-filter-q').addEventListener('input', function () {
      if (state.events.list) renderEvents();
      saveView(false);
    });
    $('events-filter').addEventListener('submit', function (e) { e.preventDefault(); });
    $('ev-sort').addEventListener('click', function () {
      state.events.sortDesc = !state.events.sortDesc;
      renderEvents();
      saveView(true);
    });
    $('add-event').addEventListener('submit', function (e) {
      e.preventDefault();
      addEvent();
    });
  }

  function addEvent() {
    clearError();
    var body = {
      date: $('ev-date').value,
      title_en: $('ev-title_en').value.trim(),
      title_ja: $('ev-title_ja').value.trim(),
      category: $('ev-category').value,
      region: $('ev-region').value,
      actors: $('ev-actors').value.split(/[,、，\s]+/).map(function (s) { return s.trim(); }).filter(Boolean),
      surprise: $('ev-surprise').checked,
      source: $('ev-source').value.trim(),
    };
    var btn = $('add-event-submit');
    btn.disabled = true;
    spinnerStatus($('add-event-status'), t('loading'));
    return api('/api/events', { method: 'POST', body: body }).then(function (ev) {
      var id = ev && ev.id ? ev.id : body.date;
      var later = state.asOf && body.date > state.asOf;
      setStatus($('add-event-status'), t(later ? 'addedLater' : 'added', { id: id }), true);
      ['ev-title_en', 'ev-title_ja', 'ev-actors', 'ev-source'].forEach(function (x) { $(x).value = ''; });
      $('ev-surprise').checked = false;
      state.events.list = null;
      state.loaded.chart = null;
      state.loaded.study = null;
      return loadEvents();
    }, function (err) {
      setStatus($('add-event-status'), '');
      showError(err, function (field) {
        // The id is made from the date and the English title.
        if (field === 'id') return [$('ev-title_en'), $('ev-date')];
        return [$('ev-' + field) || null];
      });
    }).then(function () { btn.disabled = false; });
  }

  // ---------------------------------------------------------------- 4. event study

  function loadStudy() {
    return getEvents().catch(function () { return []; }).then(function () {
      fillCategorySelects();
      var sel = $('study-category');
      if (!state.study.params && sel.querySelector('option[value="war-outbreak"]')) sel.value = 'war-outbreak';
      return runStudy();
    });
  }

  // The study's report (as `aurum study --format json` prints it) as
  // { n, caar_pct, t, p, path: [{day, caar_pct, lo_pct, hi_pct}], events, skipped }.
  function normaliseStudy(d, windowText) {
    if (!d) return null;
    if (Array.isArray(d.path)) return d;
    var g = d.groups && d.groups[0] ? d.groups[0] : d;
    var agg = g.aggregate || {};
    var w = g.design && g.design.window ? g.design.window : windowText.split(',').map(Number);
    var path = (agg.caar_path || []).map(function (c, k) {
      var se = agg.caar_path_se ? agg.caar_path_se[k] : NaN;
      return {
        day: w[0] + k, caar_pct: c * 100,
        lo_pct: isNum(se) ? (c - 1.96 * se) * 100 : null, hi_pct: isNum(se) ? (c + 1.96 * se) * 100 : null,
      };
    });
    return {
      n: agg.n, caar_pct: isNum(agg.caar) ? agg.caar * 100 : null, t: agg.t_cs, p: agg.p_cs,
      path: path,
      events: (g.events || []).map(function (e) {
        return { id: e.id, date: e.event_date || e.date, car_pct: isNum(e.car) ? e.car * 100 : e.car_pct };
      }),
      category: g.name,
      skipped: Array.isArray(g.skipped) ? g.skipped.length : g.skipped,
    };
  }

  function runStudy() {
    clearError();
    var cat = $('study-category').value;
    var win = $('study-window').value.replace(/\s+/g, '');
    state.study.params = { category: cat, window: win };
    var btn = $('run-study');
    btn.disabled = true;
    spinnerStatus($('study-status'), t('running'));
    $('study-chart').setAttribute('data-ready', '0');
    return api('/api/study?' + qs({ category: cat, window: win, as_of: state.asOf })).then(function (d) {
      state.study.data = normaliseStudy(d, win);
      state.study.data.category = state.study.data.category || cat;
      state.study.data.window = win;
      setStatus($('study-status'), '');
      renderStudy();
    }, function (err) {
      state.loaded.study = null;
      setStatus($('study-status'), '');
      showError(err, function (field) {
        return [{ category: $('study-category'), window: $('study-window'), as_of: $('as-of') }[field]];
      });
    }).then(function () { btn.disabled = false; });
  }

  function renderStudy() {
    var d = state.study.data;
    if (!d) return;
    $('study-results').hidden = false;
    var stats = $('study-stats');
    clear(stats);
    [[t('studyN'), fmtInt(d.n)], [t('studyCaar') + ' (' + d.window + ')', fmtPctPoints(d.caar_pct, 2)],
      [t('studyT'), fmtSigned(d.t, 2)], [t('studyP'), fmtNum(d.p, 3)]].concat(
      isNum(d.skipped) && d.skipped > 0 ? [[t('studySkipped'), fmtInt(d.skipped)]] : []).forEach(function (kv) {
      stats.appendChild(el('div', null, [el('dt', { text: kv[0] }), el('dd', { text: kv[1] })]));
    });
    drawCaar();
    var byId = {};
    (state.events.list || []).forEach(function (e) { byId[e.id] = e; });
    var tbody = $('study-rows');
    clear(tbody);
    (d.events || []).slice().sort(function (a, b) { return a.date < b.date ? 1 : -1; }).forEach(function (e) {
      var ev = byId[e.id];
      tbody.appendChild(el('tr', { 'data-id': e.id }, [
        el('td', { className: 'd', text: fmtDate(e.date) }),
        el('td', { title: e.id, text: ev ? eventTitle(ev) : e.id }),
        el('td', { className: 'n', text: fmtPctPoints(e.car_pct, 2) }),
      ]));
    });
  }

  // The CAAR path and its band, in SVG (event time has no calendar dates).
  function drawCaar() {
    var d = state.study.data;
    var box = $('study-chart');
    clear(box);
    var path = (d.path || []).filter(function (p) { return isNum(p.day) && isNum(p.caar_pct); });
    if (!path.length) { box.setAttribute('data-ready', '1'); return; }
    var W = Math.max(280, box.clientWidth || 600);
    var H = Math.max(200, box.clientHeight || 300);
    var m = { l: 56, r: 16, t: 28, b: 40 };
    var xs = path.map(function (p) { return p.day; });
    var ys = [];
    path.forEach(function (p) { ys.push(p.caar_pct); if (isNum(p.lo_pct)) ys.push(p.lo_pct); if (isNum(p.hi_pct)) ys.push(p.hi_pct); });
    ys.push(0);
    var x0 = Math.min.apply(null, xs.concat([0])), x1 = Math.max.apply(null, xs.concat([0]));
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var padY = (y1 - y0) * 0.1 || 0.5;
    y0 -= padY; y1 += padY;
    function X(v) { return m.l + (v - x0) / (x1 - x0) * (W - m.l - m.r); }
    function Y(v) { return m.t + (y1 - v) / (y1 - y0) * (H - m.t - m.b); }
    var NS = 'http://www.w3.org/2000/svg';
    function s(tag, attrs, text) {
      var e = document.createElementNS(NS, tag);
      Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text !== undefined) e.textContent = text;
      return e;
    }
    var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-label': t('caarAxis') });
    svg.appendChild(s('title', {}, t('studyOf', { cat: catLabel(d.category), n: d.n, w: d.window })));
    // Grid and y ticks.
    var step = niceStep((y1 - y0) / 5);
    for (var v = Math.ceil(y0 / step) * step; v <= y1 + 1e-9; v += step) {
      svg.appendChild(s('line', { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v), stroke: Math.abs(v) < 1e-9 ? col('rule-strong') : col('chart-grid-h'), 'stroke-width': 1 }));
      svg.appendChild(s('text', { x: m.l - 6, y: Y(v) + 4, 'text-anchor': 'end' }, fmtNum(v, step < 0.1 ? 2 : step < 1 ? 1 : 0)));
    }
    for (var dday = Math.ceil(x0); dday <= x1; dday++) {
      svg.appendChild(s('line', { x1: X(dday), x2: X(dday), y1: H - m.b, y2: H - m.b + 4, stroke: col('rule-strong') }));
      svg.appendChild(s('text', { x: X(dday), y: H - m.b + 16, 'text-anchor': 'middle' }, String(dday)));
    }
    svg.appendChild(s('line', { x1: X(0), x2: X(0), y1: m.t, y2: H - m.b, stroke: col('field-border'), 'stroke-dasharray': '3 3' }));
    svg.appendChild(s('text', { x: (m.l + W - m.r) / 2, y: H - 6, 'text-anchor': 'middle' }, t('dayAxis')));
    svg.appendChild(s('text', { x: m.l, y: 14, 'text-anchor': 'start' }, t('caarAxis')));
    var band = path.filter(function (p) { return isNum(p.lo_pct) && isNum(p.hi_pct); });
    if (band.length > 1) {
      var pts = band.map(function (p) { return X(p.day) + ',' + Y(p.hi_pct); })
        .concat(band.slice().reverse().map(function (p) { return X(p.day) + ',' + Y(p.lo_pct); }));
      svg.appendChild(s('polygon', { points: pts.join(' '), fill: col('accent-fill'), stroke: 'none' }));
      svg.appendChild(s('polyline', { points: band.map(function (p) { return X(p.day) + ',' + Y(p.hi_pct); }).join(' '), fill: 'none', stroke: col('fan-outer'), 'stroke-width': 1, 'stroke-dasharray': '4 3' }));
      svg.appendChild(s('polyline', { points: band.map(function (p) { return X(p.day) + ',' + Y(p.lo_pct); }).join(' '), fill: 'none', stroke: col('fan-outer'), 'stroke-width': 1, 'stroke-dasharray': '4 3' }));
    }
    svg.appendChild(s('polyline', { points: path.map(function (p) { return X(p.day) + ',' + Y(p.caar_pct); }).join(' '), fill: 'none', stroke: accent(), 'stroke-width': 2 }));
    path.forEach(function (p) {
      var c = s('circle', { cx: X(p.day), cy: Y(p.caar_pct), r: 3, fill: accent() });
      c.appendChild(s('title', {}, t('dayAxis') + ' ' + p.day + ': ' + fmtPctPoints(p.caar_pct, 2)));
      svg.appendChild(c);
    });
    var lg = s('g', { class: 'legend', transform: 'translate(' + (W - m.r - 200) + ',' + (m.t + 4) + ')' });
    lg.appendChild(s('line', { x1: 0, x2: 18, y1: 0, y2: 0, stroke: accent(), 'stroke-width': 2 }));
    lg.appendChild(s('text', { x: 24, y: 4 }, t('studyCaar') + ' (N=' + d.n + ')'));
    if (band.length > 1) {
      lg.appendChild(s('rect', { x: 0, y: 10, width: 18, height: 8, fill: col('accent-fill') }));
      lg.appendChild(s('text', { x: 24, y: 18 }, t('studyBand')));
    }
    svg.appendChild(lg);
    box.appendChild(svg);
    box.setAttribute('data-points', String(path.length));
    box.setAttribute('data-ready', '1');
  }
  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / p;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
  }

  function initStudyTab() {
    $('study-form').addEventListener('submit', function (e) {
      e.preventDefault();
      state.loaded.study = state.asOf;
      runStudy();
      saveView(true);
    });
    if (window.ResizeObserver) {
      var last = 0;
      new ResizeObserver(function () {
        var w = $('study-chart').clientWidth;
        if (w && Math.abs(w - last) > 2 && state.study.data && !$('panel-study').hidden) { last = w; drawCaar(); }
      }).observe($('study-chart'));
    }
  }

  // ---------------------------------------------------------------- 5. runs

  function loadRuns() {
    spinnerStatus($('runs-status'), t('loading'));
    return api('/api/runs').then(function (d) {
      state.runs.list = asArray(d, 'runs');
      setStatus($('runs-status'), '');
      renderRuns();
    }, function (err) {
      state.loaded.runs = null;
      setStatus($('runs-status'), '');
      showError(err);
    });
  }

  function renderRuns() {
    var tbody = $('runs-rows');
    clear(tbody);
    var list = state.runs.list || [];
    if (!list.length) {
      tbody.appendChild(el('tr', null, [el('td', { colspan: '5', className: 'sub' }, [el('span', { className: 'empty', text: t('noRuns') })])]));
      return;
    }
    list.forEach(function (r) {
      var open = function () { showRun(r.id, true); };
      var btn = el('button', { type: 'button', className: 'link', id: 'run-open-' + r.id, text: '#' + r.id, onclick: open });
      var tr = el('tr', { className: 'clickable', 'data-id': String(r.id) }, [
        el('td', null, [btn]),
        el('td', { className: 'd', text: fmtDateTime(r.created_at) }),
        el('td', { text: (state.lang === 'ja' && r.title_ja) || r.title || '' }),
        el('td', { className: 'n', text: fmtInt(r.paths) }),
        el('td', { className: 'n', text: r.seed === undefined || r.seed === null ? '—' : String(r.seed) }),
      ]);
      tr.addEventListener('click', function (e) { if (e.target !== btn) open(); });
      if (state.runs.detail && String(state.runs.detail.id) === String(r.id)) tr.classList.add('selected');
      tbody.appendChild(tr);
    });
  }

  // `push`: the user opened the run (a new history entry for `#runs/12`).
  function showRun(id, push) {
    clearError();
    spinnerStatus($('runs-status'), t('loading'));
    return api('/api/runs/' + encodeURIComponent(id)).then(function (d) {
      state.runs.detail = d || {};
      if (state.runs.detail.id === undefined) state.runs.detail.id = id;
      setStatus($('runs-status'), '');
      if (state.tab === 'runs') saveView(push);
      renderRunDetail();
      renderRuns();
    }, function (err) {
      setStatus($('runs-status'), '');
      showError(err);
    });
  }

  function renderRunDetail() {
    var d = state.runs.detail;
    if (!d) return;
    $('run-detail').hidden = false;
    $('run-detail-title').textContent = t('runDetail', { id: d.id, title: d.title || '' }) +
      (d.created_at ? ' · ' + fmtDateTime(d.created_at) : '');
    var results = d.results;
    if (typeof results === 'string') {
      try { results = JSON.parse(results); } catch (e) { /* shown as text */ }
    }
    $('run-results').textContent = typeof results === 'string' ? results : JSON.stringify(results, null, 2);
    $('run-input').textContent = d.input || d.toml || '';
    renderRunSummary(d, typeof results === 'string' ? null : results);
  }

  // A run as people read it: what was asked, the targets' probabilities and how often each
  // scenario happened; the raw JSON and TOML stay behind a disclosure.
  function renderRunSummary(d, results) {
    var r = results && results.doc ? results.doc : results || {};
    var model = null;
    try { model = readScenarioModel(d.input || d.toml || ''); } catch (e) { model = null; }
    var title = model ? (state.lang === 'ja' && model.title_ja ? model.title_ja : model.title) : d.title;
    $('run-detail-title').textContent = t('runDetail', { id: d.id, title: title || d.title || '' }) +
      (d.created_at ? ' · ' + fmtDateTime(d.created_at) : '');
    var start = r.start || {};
    $('run-summary').textContent = t('resultsSub', {
      paths: fmtInt(r.paths !== undefined ? r.paths : d.paths), seed: r.seed !== undefined ? r.seed : d.seed,
      price: fmtNum(start.price, 2), date: fmtDate(start.date || r.as_of), horizon: fmtDate(r.horizon),
    });
    var head = $('run-targets-table').tHead.rows[0];
    clear(head);
    [t('target'), t('pTouch'), t('se'), t('pClose'), t('se'), t('firstPassage')].forEach(function (h) {
      head.appendChild(el('th', { scope: 'col', text: h }));
    });
    var rows = $('run-targets-rows');
    clear(rows);
    (r.targets || []).forEach(function (tg, i) {
      var level = isNum(tg.target) ? tg.target : tg.level;
      var raw = model && model.targets ? model.targets[i] : undefined;
      rows.appendChild(el('tr', { 'data-target': String(level) }, [
        el('th', { scope: 'row', text: typeof raw === 'string' ? raw + ' (' + fmtNum(level, 2) + ')' : fmtNum(level, 2) }),
        el('td', { 'data-col': 'p-touch', 'data-value': String(tg.p_touch), text: fmtPct(tg.p_touch, 1) }),
        el('td', { className: 'se', text: '±' + fmtNum(isNum(tg.p_touch_se) ? tg.p_touch_se * 100 : NaN, 1) }),
        el('td', { 'data-col': 'p-close', 'data-value': String(tg.p_close_above), text: fmtPct(tg.p_close_above, 1) }),
        el('td', { className: 'se', text: '±' + fmtNum(isNum(tg.p_close_above_se) ? tg.p_close_above_se * 100 : NaN, 1) }),
        el('td', { text: tg.first_passage && tg.first_passage.median ? fmtDate(tg.first_passage.median) : '—' }),
      ]));
    });
    var sc = $('run-scenarios-rows');
    clear(sc);
    (r.scenarios || []).forEach(function (x) {
      var ms = model ? scenarioById(model, x.id) : null;
      var name = ms ? (state.lang === 'ja' && ms.name_ja ? ms.name_ja : ms.name) : x.name || x.id;
      sc.appendChild(el('tr', { 'data-scenario': x.id }, [
        el('td', null, [el('span', { className: 'sc-name', text: name || x.id }), el('span', { className: 'sc-id', text: x.id })]),
        el('td', { text: ms && isNum(ms.probability) ? fmtPct(ms.probability, 1) : '—' }),
        el('td', { text: fmtPct(x.p_happened, 1) + (isNum(x.p_happened_se) ? ' ±' + fmtNum(x.p_happened_se * 100, 1) : '') }),
      ]));
    });
  }

  function initRunsTab() {
    $('runs-refresh').addEventListener('click', function () { clearError(); loadRuns(); });
    $('run-load').addEventListener('click', function () {
      var d = state.runs.detail;
      if (!d) return;
      $('scenario-toml').value = d.input || d.toml || '';
      if (isNum(d.paths)) $('sc-paths').value = String(d.paths);
      if (d.seed !== undefined && d.seed !== null) $('sc-seed').value = String(d.seed);
      clear($('scenario-rows'));
      state.loaded.scenario = 'any';
      selectTab('scenario', true);
      renderScenarioForm();
      saveDraft();
    });
  }

  // ---------------------------------------------------------------- 6. calls

  // `#calls/12` opens call 12.
  function callInHash() {
    var m = /^#calls\/(\d+)$/.exec(location.hash || '');
    return m ? m[1] : null;
  }
  function includeDrafts() { return $('calls-drafts').checked; }

  // A day without its year when it is in `refYear`: `30 Jun`, `6月30日`; else with it.
  function fmtDay(s, refYear) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || '');
    if (!m) return s ? String(s) : '—';
    var sameYear = String(refYear || '') === m[1];
    if (state.lang === 'ja') return (sameYear ? '' : +m[1] + '年') + +m[2] + '月' + +m[3] + '日';
    var mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][+m[2] - 1];
    return +m[3] + ' ' + mon + (sameYear ? '' : ' ' + m[1]);
  }
  function yearOf(s) { return /^\d{4}/.test(s || '') ? s.slice(0, 4) : ''; }

  // A price of a series in its currency: `$3,000`, `3,000ドル`, `¥15,000`, `15,000円`.
  function fmtPrice(v, series, digits) {
    if (!isNum(v)) return '—';
    var d = digits === undefined ? (Number.isInteger(v) ? 0 : 2) : digits;
    var n = fmtNum(v, d);
    var meta = seriesMeta(series);
    var cur = meta && meta.currency ? meta.currency : /^gold-usd/.test(series || '') ? 'USD' : '';
    if (cur === 'USD') return state.lang === 'ja' ? n + 'ドル' : '$' + n;
    if (cur === 'JPY') return state.lang === 'ja' ? n + '円' : '¥' + n;
    return n;
  }

  function eventWords(e, series, refYear) {
    var vars = { level: fmtPrice(e.level, series), date: fmtDay(e.by, refYear) };
    return t(e.kind === 'close' ? 'evClose' : 'evTouch', vars);
  }

  function outcomeWords(e, refYear) {
    if (e.outcome === 'yes') return t('outYes', { date: fmtDay(e.resolved_on, refYear) });
    if (e.outcome === 'no') return t('outNo', { date: fmtDay(e.resolved_on, refYear) });
    return t('outOpen');
  }

  function callName(c) {
    if (c.label) return c.label;
    if (state.lang === 'ja' && c.title_ja) return c.title_ja;
    return c.title || '';
  }

  function statusTag(published) {
    return el('span', { className: 'tag ' + (published ? 'published' : 'draft'), text: t(published ? 'published' : 'draft') });
  }

  function loadCalls() {
    clearError();
    spinnerStatus($('calls-status'), t('loading'));
    var drafts = includeDrafts();
    var asOf = state.asOf;
    var list = api('/api/calls?' + qs({ published: drafts ? 'false' : 'true' }));
    var scores = api('/api/calls/score?' + qs({ drafts: drafts ? 'true' : 'false', as_of: asOf }));
    state.calls.loading = true;
    return Promise.all([list, scores]).then(function (r) {
      state.calls.loading = false;
      state.calls.list = asArray(r[0], 'calls');
      var byId = {};
      ((r[1] && r[1].calls) || []).forEach(function (c) { byId[c.id] = c; });
      state.calls.scores = { byId: byId, total: r[1] ? r[1].total : null };
      state.calls.scoredAsOf = asOf;
      setStatus($('calls-status'), '');
      renderCalls();
      // The open call is scored as of the same day.
      var d = state.calls.detail;
      var want = callInHash() || (d ? String(d.id) : null);
      if (want && (!d || String(d.id) !== want || d.asOf !== asOf)) return showCall(want);
    }, function (err) {
      state.calls.loading = false;
      state.loaded.calls = null;
      setStatus($('calls-status'), '');
      showError(err, function (field) { return field === 'as_of' ? [$('as-of')] : []; });
    });
  }

  function renderCalls() {
    var asOf = state.calls.scoredAsOf;
    $('calls-caption').textContent = asOf ? t('callsCaptionAsOf', { date: fmtDate(asOf) }) : t('callsCaptionNow');
    var tbody = $('calls-rows');
    clear(tbody);
    var list = (state.calls.list || []).slice().sort(function (a, b) {
      return a.as_of < b.as_of ? 1 : a.as_of > b.as_of ? -1 : b.id - a.id;
    });
    var scores = (state.calls.scores && state.calls.scores.byId) || {};
    if (!list.length) {
      tbody.appendChild(el('tr', null, [el('td', { colspan: '10', className: 'sub' }, [el('span', { className: 'empty', text: t(includeDrafts() ? 'noCalls' : 'noPublishedCalls') })])]));
    }
    list.forEach(function (c) {
      var sc = scores[c.id];
      var open = function () { showCall(c.id, true); };
      var btn = el('button', { type: 'button', className: 'link', id: 'call-open-' + c.id, text: '#' + c.id, onclick: open, 'aria-label': t('openCall', { id: c.id }) });
      var nameCell = el('td', { className: 'label' }, [
        el('span', { className: 'call-label', text: c.label || '—' }),
        el('span', { className: 'call-title', text: state.lang === 'ja' && sc && sc.title_ja ? sc.title_ja : c.title || '' }),
      ]);
      var scoreCells;
      if (sc) {
        scoreCells = [
          el('td', { className: 'n', 'data-col': 'resolved', text: fmtInt(sc.resolved) }),
          el('td', { className: 'n', 'data-col': 'open', text: fmtInt(sc.open) }),
          el('td', { className: 'n', 'data-col': 'brier', 'data-value': isNum(sc.brier) ? String(sc.brier) : null, text: fmtNum(sc.brier, 3) }),
        ];
      } else {
        // Made as of a later day than the page's: the server does not score it.
        scoreCells = [el('td', { colspan: '3', className: 'sub after', title: t('afterAsOfHelp'), text: t('afterAsOf') })];
      }
      var action = el('td', { className: 'act' });
      if (!c.published) {
        action.appendChild(el('button', {
          type: 'button', className: 'small', id: 'call-publish-' + c.id, text: t('publish'),
          'aria-expanded': state.calls.publishing === c.id ? 'true' : 'false',
          'aria-controls': 'publish-form-' + c.id,
          onclick: function (e) { e.stopPropagation(); togglePublish(c.id); },
        }));
      }
      var tr = el('tr', {
        className: 'clickable', 'data-id': String(c.id), 'data-status': c.published ? 'published' : 'draft',
      }, [
        el('td', null, [btn]),
        el('td', { className: 'd', text: fmtDate(c.as_of) }),
        el('td', { className: 'd', text: fmtDate(c.horizon) }),
        nameCell,
        el('td', { 'data-col': 'status' }, [statusTag(c.published)]),
        el('td', { className: 'nw', text: c.model || '—' }),
      ].concat(scoreCells, [action]));
      tr.addEventListener('click', function (e) {
        if (e.target.closest('button, input, form')) return;
        open();
      });
      if (state.calls.detail && String(state.calls.detail.id) === String(c.id)) tr.classList.add('selected');
      tbody.appendChild(tr);
      if (state.calls.publishing === c.id && !c.published) tbody.appendChild(publishRow(c));
    });
    var total = state.calls.scores && state.calls.scores.total;
    $('calls-total').textContent = !list.length || !total ? ''
      : total.events > 0
        ? t('callsTotal', { events: tn('nResolvedProbs', total.events), calls: tn('nCalls', total.calls), brier: fmtNum(total.brier, 3), right: fmtInt(total.leaned_right) })
        : t('callsTotalNone');
  }

  // The inline form under a draft's row: an optional label, then publish.
  function publishRow(c) {
    var input = el('input', { type: 'text', id: 'publish-label-' + c.id, maxlength: '200', value: c.label || '' });
    var form = el('form', { className: 'publish-form', id: 'publish-form-' + c.id, novalidate: true, 'aria-label': t('publishCall', { id: c.id }) }, [
      el('label', { className: 'grow' }, [el('span', { text: t('labelOptional') }), input]),
      el('button', { type: 'submit', className: 'primary', id: 'publish-confirm-' + c.id, text: t('publish') }),
      el('button', { type: 'button', className: 'link', text: t('cancel'), onclick: function () { togglePublish(null); } }),
      el('span', { className: 'hint', text: t('publishHint') }),
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      publishCall(c.id, input.value.trim(), form);
    });
    form.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { e.preventDefault(); togglePublish(null); }
    });
    return el('tr', { className: 'publish-row', 'data-for': String(c.id) }, [el('td', { colspan: '10' }, [form])]);
  }

  function togglePublish(id) {
    var was = state.calls.publishing;
    state.calls.publishing = id === was ? null : id;
    renderCalls();
    if (state.calls.publishing !== null) {
      var input = $('publish-label-' + state.calls.publishing);
      if (input) input.focus();
    } else if (was !== null && $('call-publish-' + was)) {
      $('call-publish-' + was).focus();
    }
  }

  function publishCall(id, label, form) {
    clearError();
    var buttons = form.querySelectorAll('button');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    spinnerStatus($('calls-status'), t('loading'));
    var body = label ? { label: label } : {};
    return api('/api/calls/' + encodeURIComponent(id) + '/publish', { method: 'POST', body: body }).then(function () {
      state.calls.publishing = null;
      state.loaded.calls = null;
      // A published call stays in the list without drafts; its detail shows the new status.
      var d = state.calls.detail;
      if (d && String(d.id) === String(id)) d.asOf = null;
      return loadCalls().then(function () {
        setStatus($('calls-status'), t('publishedOk', { id: id }), true);
        var b = $('call-open-' + id);
        if (b) b.focus();
      });
    }, function (err) {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      setStatus($('calls-status'), '');
      showError(err, function (field) { return field === 'label' ? [$('publish-label-' + id)] : []; });
    });
  }

  // One call: what it printed (GET /api/calls/{id}) and its score as of the page's date.
  function showCall(id, focus) {
    clearError();
    var asOf = state.asOf;
    spinnerStatus($('calls-status'), t('loading'));
    return api('/api/calls/' + encodeURIComponent(id)).then(function (call) {
      var tooLate = asOf && call && call.as_of > asOf;
      var score = tooLate ? Promise.resolve(null)
        : api('/api/calls/score?' + qs({ ids: String(id), drafts: 'true', as_of: asOf }));
      return score.then(function (sc) {
        state.calls.detail = { id: call.id !== undefined ? call.id : id, call: call, score: sc, asOf: asOf };
        setStatus($('calls-status'), '');
        if (location.hash !== '#calls/' + state.calls.detail.id && state.tab === 'calls') {
          history.replaceState(null, '', location.pathname + location.search + '#calls/' + state.calls.detail.id);
        }
        renderCallDetail();
        if (state.calls.list) renderCalls();
        if (focus) $('call-detail-title').focus();
      });
    }).catch(function (err) {
      setStatus($('calls-status'), '');
      showError(err);
    });
  }

  function renderCallDetail() {
    var d = state.calls.detail;
    if (!d || !d.call) return;
    var call = d.call;
    var doc = call.doc || {};
    var series = call.series || doc.series;
    var ref = yearOf(call.as_of);
    var scored = d.score && d.score.calls && d.score.calls[0] ? d.score.calls[0] : null;
    var box = $('call-detail');
    box.hidden = false;
    box.setAttribute('data-id', String(d.id));
    $('call-detail-title').textContent = t('callDetail', {
      id: d.id, name: call.label || (state.lang === 'ja' && doc.title_ja ? doc.title_ja : call.title || doc.title || ''),
    });
    var sub = $('call-detail-sub');
    clear(sub);
    sub.appendChild(statusTag(call.published));
    var start = doc.start || [];
    sub.appendChild(document.createTextNode(' ' + t('callSub', {
      asOf: fmtDate(call.as_of), price: fmtPrice(start[1], series, 2), date: fmtDate(start[0]), horizon: fmtDate(call.horizon),
      model: call.model || doc.model || '—', paths: fmtInt(doc.paths), seed: doc.seed === undefined ? '—' : String(doc.seed),
    }) + ' · '));
    if (call.run_id !== undefined && call.run_id !== null) {
      sub.appendChild(el('button', {
        type: 'button', className: 'link inline', id: 'call-run-link', text: t('fromRun', { id: call.run_id }),
        onclick: function () { selectTab('runs', true, true); showRun(call.run_id, true); },
      }));
    } else {
      sub.appendChild(document.createTextNode(call.source === 'report' ? t('fromReport') : call.source || ''));
    }
    var note = $('call-not-scored');
    note.hidden = !!scored;
    note.textContent = scored ? '' : t('callNotScored', { date: fmtDate(call.as_of), asOf: fmtDate(d.asOf) });

    // Events: the score's (with outcomes) or, unscored, the call's own.
    var events = scored ? scored.events : (doc.events || []);
    var tbody = $('call-events-rows');
    clear(tbody);
    var lastLevel = null;
    events.forEach(function (e, i) {
      var outcome = scored ? e.outcome : null;
      var tr = el('tr', {
        id: 'call-event-' + i, 'data-kind': e.kind, 'data-level': String(e.level), 'data-by': e.by,
        className: e.level !== lastLevel && i > 0 ? 'group-start' : null,
      }, [
        el('th', { scope: 'row', text: eventWords(e, series, ref) }),
        el('td', { className: 'n', 'data-col': 'p', 'data-label': t('evForecast'), 'data-value': String(e.p), text: fmtPct(e.p, 1) }),
        el('td', { className: 'outcome ' + (outcome || 'none'), 'data-col': 'outcome', 'data-value': outcome || '', text: outcome ? outcomeWords(e, ref) : '—' }),
        el('td', { className: 'n', 'data-col': 'brier', 'data-label': t('brierShort'), text: isNum(e.brier) ? fmtNum(e.brier, 3) : '—' }),
      ]);
      lastLevel = e.level;
      tbody.appendChild(tr);
    });
    var totals = $('call-totals');
    if (!scored) totals.textContent = '';
    else if (scored.resolved > 0) {
      var total = d.score.total || {};
      totals.textContent = t('callTotals', {
        events: tn('nResolvedEvents', scored.resolved), n: fmtInt(scored.resolved), brier: fmtNum(scored.brier, 3), right: fmtInt(total.leaned_right), log: fmtNum(scored.log_score, 3),
      }) + (scored.open > 0 ? ' ' + t('callTotalsOpen', { open: fmtInt(scored.open) }) : '');
    } else totals.textContent = t('callNoneResolved', { open: fmtInt(scored.open) });

    renderCallHorizon(doc, scored, series);
    renderCallPassages(doc, scored, series, ref);
    renderCallJudgements(doc, d.score, ref);
  }

  function renderCallHorizon(doc, scored, series) {
    var fan = doc.fan || {};
    var close = scored && scored.horizon_close ? scored.horizon_close : null;
    var p = $('call-horizon');
    if (close && isNum(scored.pit)) {
      p.textContent = t('horizonClose', {
        price: fmtPrice(close[1], series, 2), date: fmtDate(close[0]), pit: fmtPct(scored.pit, 0), pitNum: fmtNum(scored.pit, 2),
      });
    } else {
      p.textContent = t('horizonOpen', { date: fmtDate(fan.date || doc.horizon) });
    }
    // The 5–95% and 25–75% ranges on one line, with the median and the close marked.
    var strip = $('call-fan');
    clear(strip);
    var qs5 = [fan.q05, fan.q25, fan.q50, fan.q75, fan.q95];
    if (qs5.every(isNum)) {
      var c = close ? close[1] : null;
      var lo = Math.min(fan.q05, isNum(c) ? c : fan.q05);
      var hi = Math.max(fan.q95, isNum(c) ? c : fan.q95);
      var pad = (hi - lo) * 0.04 || 1;
      lo -= pad; hi += pad;
      var x = function (v) { return ((v - lo) / (hi - lo) * 100).toFixed(2) + '%'; };
      var span = function (cls, a, b) {
        var s = el('span', { className: cls });
        s.style.left = x(a);
        if (b !== undefined) s.style.width = ((b - a) / (hi - lo) * 100).toFixed(2) + '%';
        return s;
      };
      strip.appendChild(span('w', fan.q05, fan.q95));
      strip.appendChild(span('b', fan.q25, fan.q75));
      strip.appendChild(span('m', fan.q50));
      if (isNum(c)) {
        var mk = span('x', c);
        var at = (c - lo) / (hi - lo);
        // The label stays inside the strip near its ends.
        mk.appendChild(el('span', { className: 'xl' + (at < 0.2 ? ' left' : at > 0.8 ? ' right' : ''), text: t('fanClose') + ' ' + fmtPrice(c, series, 0) }));
        strip.appendChild(mk);
      }
      var vars = { lo: fmtPrice(fan.q05, series, 0), hi: fmtPrice(fan.q95, series, 0), mid: fmtPrice(fan.q50, series, 0), close: isNum(c) ? fmtPrice(c, series, 2) : '' };
      strip.setAttribute('aria-label', t(isNum(c) ? 'fanStrip' : 'fanStripOpen', vars));
      strip.hidden = false;
    } else strip.hidden = true;
    $('call-fan-caption').textContent = t('fanRange', { date: fmtDate(fan.date || doc.horizon) });
    var tb = $('call-fan-rows');
    clear(tb);
    tb.appendChild(el('tr', null, qs5.map(function (v) { return el('td', { text: fmtPrice(v, series, 0) }); })));
  }

  function renderCallPassages(doc, scored, series, ref) {
    var rows = scored ? scored.passages : (doc.passages || []);
    var tb = $('call-passages-rows');
    clear(tb);
    rows.forEach(function (ps) {
      var diff = isNum(ps.days_from_median) ? fmtSigned(ps.days_from_median, 0) : '—';
      tb.appendChild(el('tr', { 'data-level': String(ps.level) }, [
        el('th', { scope: 'row', text: fmtPrice(ps.level, series) }),
        el('td', { className: 'd', text: ps.median ? fmtDay(ps.median, ref) : t('psNoMedian') }),
        el('td', { className: 'd', text: !scored ? '—' : ps.reached_on ? fmtDay(ps.reached_on, ref) : t('psNotReached') }),
        el('td', { className: 'n', text: diff }),
      ]));
    });
  }

  function renderCallJudgements(doc, score, ref) {
    var items = {};
    ((score && score.judgements && score.judgements.items) || []).forEach(function (j) { items[j.scenario] = j; });
    var tb = $('call-judgements-rows');
    clear(tb);
    var known = [];
    (doc.scenarios || []).forEach(function (s) {
      var j = items[s.id];
      var name = state.lang === 'ja' && s.name_ja ? s.name_ja : s.name || s.id;
      var outcome = !j ? t('jdOpen')
        : j.happened ? (j.date ? t('jdHappened', { date: fmtDay(j.date, ref) }) : t('jdHappenedNoDate'))
          : (j.date ? t('jdNotHappened', { date: fmtDay(j.date, ref) }) : t('jdNotHappenedNoDate'));
      if (j) known.push(j);
      tb.appendChild(el('tr', { 'data-scenario': s.id }, [
        el('th', { scope: 'row' }, [el('span', { className: 'sc-name', text: name }), el('span', { className: 'sc-id', text: s.id })]),
        el('td', { className: 'n', 'data-label': t('jdJudged'), text: fmtPct(s.judged, 1) }),
        el('td', { className: 'n', 'data-label': t('jdOverall'), title: t('jdOverallHelp'), text: fmtPct(s.overall, 1) }),
        el('td', { className: 'd', 'data-label': t('jdUntil'), text: fmtDay(s.until, ref) }),
        el('td', { className: 'outcome ' + (!j ? 'open' : j.happened ? 'yes' : 'no'), 'data-col': 'outcome', 'data-label': t('evOutcome'), text: outcome }),
        el('td', { className: 'n', 'data-label': t('brierShort'), text: j ? fmtNum(j.brier, 3) : '—' }),
      ]));
    });
    var p = $('call-judgement-totals');
    if (!score) p.textContent = '';
    else if (known.length) {
      var mean = known.reduce(function (a, j) { return a + j.brier; }, 0) / known.length;
      p.textContent = t('jdTotals', { scenarios: tn('nKnownScenarios', known.length), brier: fmtNum(mean, 3) });
    } else p.textContent = t('jdNone');
  }

  // After a run in the scenario editor: the call it recorded, with a link to it.
  function renderRecordedCall() {
    var r = state.scenario.result;
    var box = $('results-call');
    clear(box);
    if (!r || r.call_id === undefined || r.call_id === null) { box.hidden = true; return; }
    var published = state.scenario.runParams && state.scenario.runParams.publish;
    var text = t('callRecorded', { id: r.call_id, status: t(published ? 'published' : 'draft') });
    var link = el('a', { href: '#calls/' + r.call_id, id: 'results-call-link', 'data-id': String(r.call_id), text: t('openCall', { id: r.call_id }) });
    box.appendChild(document.createTextNode(text + ' '));
    box.appendChild(link);
    box.hidden = false;
  }

  function initCallsTab() {
    $('calls-refresh').addEventListener('click', function () {
      state.loaded.calls = state.asOf + (includeDrafts() ? '+drafts' : '');
      loadCalls();
    });
    $('calls-drafts').addEventListener('change', function () {
      state.calls.publishing = null;
      ensureLoaded('calls');
    });
  }

  // ---------------------------------------------------------------- start

  function defaultAsOf() {
    var p = new URLSearchParams(location.search).get('as_of');
    if (p && /^\d{4}-\d{2}-\d{2}$/.test(p)) return p;
    return naturalAsOf();
  }

  // The as-of date without one in the address: the last price of gold.
  function naturalAsOf() {
    var m = seriesMeta(DEFAULT_SERIES);
    if (m && m.last) return m.last;
    var lasts = (state.series || []).map(function (s) { return s.last; }).filter(Boolean).sort();
    return lasts.length ? lasts[lasts.length - 1] : todayIso();
  }

  // ---------------------------------------------------------------- exports

  // Every table downloads as CSV (what it shows, with a byte-order mark so that spreadsheets
  // read Japanese), every chart as PNG, and the chart's bars as the API's `format=csv` has them.
  var TABLES = ['results-table', 'happened-table', 'events-table', 'study-events-table', 'runs-table',
    'run-targets-table', 'run-scenarios-table',
    'calls-table', 'call-events-table', 'call-fan-table', 'call-passages-table', 'call-judgements-table'];
  var CHARTS = ['price-chart', 'gpr-chart', 'fan-chart', 'study-chart'];
  var BAR_COLUMNS = ['date', 'open', 'high', 'low', 'close', 'volume'];
  var PERIOD_COLUMNS = BAR_COLUMNS.concat(['first_date', 'last_date', 'days']);

  function csvCell(v) {
    var s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function toCsv(rows) {
    return rows.map(function (r) { return r.map(csvCell).join(','); }).join('\n') + '\n';
  }
  function barsCsv(bars) {
    var cols = bars.length && bars[0].first_date !== undefined ? PERIOD_COLUMNS : BAR_COLUMNS;
    return toCsv([cols].concat(bars.map(function (b) {
      return cols.map(function (c) { return isNum(b[c]) || typeof b[c] === 'string' ? b[c] : ''; });
    })));
  }
  function tableCsv(table) {
    return '\ufeff' + toCsv(Array.prototype.filter.call(table.rows, function (tr) { return !tr.hidden; }).map(function (tr) {
      return Array.prototype.map.call(tr.cells, function (c) { return c.textContent.replace(/\s+/g, ' ').trim(); });
    }));
  }

  function fileName(what, ext) {
    return 'aurum-' + what + (state.asOf ? '-' + state.asOf : '') + '.' + ext;
  }

  // Saves `blob` as `name` (an <a download> of an object URL); the last few are kept for
  // tests, which can ask not to save.
  function download(name, blob) {
    var rec = { name: name, type: blob.type, size: blob.size, text: null, head: null };
    Object.defineProperty(rec, 'blob', { value: blob, enumerable: false });
    state.downloads = (state.downloads || []).slice(-9).concat([rec]);
    var read = /^text\//.test(blob.type)
      ? blob.arrayBuffer().then(function (b) { rec.text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(b); })
      : blob.arrayBuffer().then(function (b) { rec.head = Array.prototype.slice.call(new Uint8Array(b, 0, Math.min(8, b.byteLength))); });
    read.catch(function () { /* only for tests */ });
    if (window.__aurumTest && window.__aurumTest.noSave) return;
    var url = URL.createObjectURL(blob);
    var a = el('a', { href: url, download: name, hidden: true });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
  }

  function exportTable(id) {
    var table = $(id);
    if (!table) return;
    download(fileName(id.replace(/-table$/, ''), 'csv'), new Blob([tableCsv(table)], { type: 'text/csv;charset=utf-8' }));
  }

  function exportBars() {
    var d = state.chart.data;
    if (!d) return;
    download(fileName(d.id + '-weekly', 'csv'), new Blob([barsCsv(d.bars)], { type: 'text/csv;charset=utf-8' }));
  }

  // The price chart's markers and target labels are HTML over the canvas: drawn onto it.
  function drawOverlay(canvas, container) {
    var ctx = canvas.getContext('2d');
    var scale = canvas.width / Math.max(1, container.clientWidth);
    var font = getComputedStyle(document.documentElement).fontFamily;
    ctx.save();
    ctx.scale(scale, scale);
    Array.prototype.forEach.call(document.querySelectorAll('#chart-markers > *'), function (n) {
      if (n.hidden) return;
      var x = n.offsetLeft, y = n.offsetTop, w = n.offsetWidth, h = n.offsetHeight;
      var cs = getComputedStyle(n);
      ctx.fillStyle = cs.backgroundColor;
      ctx.strokeStyle = cs.borderTopColor;
      ctx.lineWidth = 1;
      ctx.beginPath();
      var r = Math.min(h / 2, parseFloat(cs.borderTopLeftRadius) || 0);
      if (ctx.roundRect) ctx.roundRect(x + 0.5, y + 0.5, w - 1, h - 1, r);
      else ctx.rect(x + 0.5, y + 0.5, w - 1, h - 1);
      ctx.fill();
      ctx.stroke();
      var text = n.classList.contains('dot') ? '' : n.textContent;
      if (text) {
        ctx.fillStyle = cs.color;
        ctx.font = cs.fontWeight + ' ' + cs.fontSize + ' ' + font;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(text, x + w / 2, y + h / 2 + 0.5);
      }
    });
    ctx.restore();
  }

  function chartCanvas(id) {
    if (id === 'study-chart') {
      var svg = $('study-chart').querySelector('svg');
      if (!svg) return Promise.resolve(null);
      var clone = svg.cloneNode(true);
      var w = svg.clientWidth || 600, h = svg.clientHeight || 300;
      clone.setAttribute('width', String(w));
      clone.setAttribute('height', String(h));
      clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
      clone.setAttribute('font-family', getComputedStyle(document.documentElement).fontFamily);
      clone.setAttribute('font-size', '11');
      Array.prototype.forEach.call(clone.querySelectorAll('text'), function (x) { x.setAttribute('fill', col('chart-text')); });
      return new Promise(function (resolve) {
        var img = new Image();
        img.onload = function () {
          var c = document.createElement('canvas');
          var k = window.devicePixelRatio || 1;
          c.width = w * k;
          c.height = h * k;
          var ctx = c.getContext('2d');
          ctx.fillStyle = col('chart-bg');
          ctx.fillRect(0, 0, c.width, c.height);
          ctx.scale(k, k);
          ctx.drawImage(img, 0, 0, w, h);
          resolve(c);
        };
        img.onerror = function () { resolve(null); };
        img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(clone));
      });
    }
    var chart = id === 'price-chart' ? state.chart.charts[0]
      : id === 'gpr-chart' ? state.chart.charts[1]
      : (state.scenario.fanCharts || [])[0];
    if (!chart) return Promise.resolve(null);
    var canvas = chart.takeScreenshot();
    if (id === 'price-chart') drawOverlay(canvas, $('price-chart'));
    return Promise.resolve(canvas);
  }

  function exportChart(id) {
    return chartCanvas(id).then(function (canvas) {
      if (!canvas) return;
      canvas.toBlob(function (blob) {
        if (blob) download(fileName(id.replace(/-chart$/, '') + '-chart', 'png'), blob);
      }, 'image/png');
    });
  }

  function exportButton(kind, id, title) {
    return el('button', {
      type: 'button', className: 'export', id: 'export-' + kind + '-' + id,
      'data-i18n': kind === 'png' ? 'exportPng' : 'exportCsv', 'data-i18n-title': title,
      text: t(kind === 'png' ? 'exportPng' : 'exportCsv'), title: t(title),
      onclick: function () {
        if (kind === 'png') exportChart(id);
        else if (id === 'bars') exportBars();
        else exportTable(id);
      },
    });
  }

  function initExports() {
    TABLES.forEach(function (id) {
      var table = $(id);
      if (!table) return;
      var at = table.closest('.table-wrap') || table;
      at.parentNode.insertBefore(el('div', { className: 'export-bar' }, [exportButton('csv', id, 'exportCsvTitle')]), at);
    });
    CHARTS.forEach(function (id) {
      var box = $(id);
      if (!box) return;
      var at = box.closest('.chart-wrap') || box;
      var buttons = [exportButton('png', id, 'exportPngTitle')];
      if (id === 'price-chart') buttons.push(exportButton('csv', 'bars', 'exportBarsTitle'));
      at.parentNode.insertBefore(el('div', { className: 'export-bar' }, buttons), at);
    });
  }

  // ---------------------------------------------------------------- the view in the address

  // The chart's series, start and targets, the as-of date, the events' filters and sort, the
  // study's category and window, the tab and the open run or call live in the address
  // (`?series=…&from=…&targets=…&as_of=…&ev_category=…&study_window=…#runs/12`), so that a
  // view can be shared; what the user changes adds a history entry (back and forward step
  // through them) and loading an address restores its view. The last view is also kept in
  // this browser: an address without any (`/`, `/?lang=ja`) opens it again.
  var DEFAULT_TARGETS = '3000';
  var DEFAULT_STUDY = { category: 'war-outbreak', window: '-1,5' };
  var VIEW_KEY = 'aurum.view';
  var VIEW_PARAMS = ['series', 'from', 'targets', 'freq', 'log', 'as_of', 'ev_category', 'ev_region', 'ev_from', 'ev_to',
    'ev_q', 'ev_sort', 'study_category', 'study_window'];

  // An address that names no view opens the last one this browser showed.
  function reopenLastView() {
    var p = new URLSearchParams(location.search);
    var named = VIEW_PARAMS.some(function (k) { return p.has(k); }) || location.hash.replace('#', '') !== '';
    if (named) return;
    var last = null;
    try { last = localStorage.getItem(VIEW_KEY); } catch (e) { last = null; }
    if (!last || !/^[?#]/.test(last)) return;
    var q = last.indexOf('#') >= 0 ? last.slice(0, last.indexOf('#')) : last;
    var hash = last.slice(q.length);
    var lp = new URLSearchParams(q);
    // The language the address asks for wins over the one the view was shown in.
    if (p.has('lang')) lp.set('lang', p.get('lang'));
    else lp.delete('lang');
    var qs2 = lp.toString();
    history.replaceState(null, '', location.pathname + (qs2 ? '?' + qs2 : '') + hash);
  }

  function rememberView() {
    try { localStorage.setItem(VIEW_KEY, location.search + location.hash); } catch (e) { /* storage unavailable */ }
  }

  // `#runs/12` opens run 12.
  function runInHash() {
    var m = /^#runs\/(\d+)$/.exec(location.hash || '');
    return m ? m[1] : null;
  }

  function viewHash() {
    if (state.tab === 'calls') {
      var c = callInHash();
      if (c !== null) return '#calls/' + c;
      return state.calls.detail ? '#calls/' + state.calls.detail.id : '#calls';
    }
    if (state.tab === 'runs' && state.runs.detail && state.runs.detail.id !== undefined) return '#runs/' + state.runs.detail.id;
    return '#' + state.tab;
  }

  function viewUrl() {
    var p = new URLSearchParams(location.search);
    function put(k, v, plain) {
      if (v && v !== plain) p.set(k, v);
      else p.delete(k);
    }
    put('series', $('chart-series').value, DEFAULT_SERIES);
    put('from', state.chart.fromAuto ? '' : $('chart-from').value);
    put('targets', $('chart-targets').value.trim(), DEFAULT_TARGETS);
    put('freq', state.chart.freq, 'weekly');
    put('log', state.chart.log ? '1' : '');
    put('as_of', state.asOf, naturalAsOf());
    put('ev_category', $('ev-filter-category').value);
    put('ev_region', $('ev-filter-region').value);
    put('ev_from', $('ev-filter-from').value);
    put('ev_to', $('ev-filter-to').value);
    put('ev_q', $('ev-filter-q').value.trim());
    put('ev_sort', state.events.sortDesc ? '' : 'asc');
    var study = state.study.params || DEFAULT_STUDY;
    put('study_category', study.category, DEFAULT_STUDY.category);
    put('study_window', study.window, DEFAULT_STUDY.window);
    if (p.has('lang')) p.set('lang', state.lang);
    var q = p.toString();
    return location.pathname + (q ? '?' + q : '') + viewHash();
  }

  // Writes the view into the address: a new history entry when `push`.
  function saveView(push) {
    if (!state.series || state.restoring) return;
    var url = viewUrl();
    if (url !== location.pathname + location.search + location.hash) {
      if (push) history.pushState(null, '', url);
      else history.replaceState(null, '', url);
    }
    rememberView();
  }

  // Shows the view the address describes (on load, back and forward).
  function restoreView() {
    if (!state.series) return;
    state.restoring = true;
    try {
      var p = new URLSearchParams(location.search);
      var before = [$('chart-series').value, $('chart-from').value, state.asOf, state.chart.freq].join('|');
      var freq = p.get('freq');
      state.chart.freq = freq === 'daily' || freq === 'monthly' ? freq : 'weekly';
      var log = p.get('log') === '1';
      var logChanged = log !== !!state.chart.log;
      state.chart.log = log;
      setChartTools();
      var sel = $('chart-series');
      sel.value = p.get('series') || DEFAULT_SERIES;
      if (!sel.value && sel.options.length) sel.value = seriesMeta(DEFAULT_SERIES) ? DEFAULT_SERIES : sel.options[0].value;
      var from = p.get('from');
      state.chart.fromAuto = !(from && /^\d{4}-\d{2}-\d{2}$/.test(from));
      setAsOf(defaultAsOf());
      if (!state.chart.fromAuto) $('chart-from').value = from;
      var targets = p.get('targets');
      var hadTargets = $('chart-targets').value;
      $('chart-targets').value = targets !== null ? targets : DEFAULT_TARGETS;
      var after = [sel.value, $('chart-from').value, state.asOf, state.chart.freq].join('|');
      if (before !== after) state.loaded.chart = null;
      else if ((logChanged || hadTargets !== $('chart-targets').value) && state.chart.data) renderChart();
      restoreFilters(p);
      var run = runInHash();
      var call = callInHash();
      var tab = call !== null ? 'calls' : run !== null ? 'runs' : location.hash.replace('#', '');
      if (TABS.indexOf(tab) < 0) tab = 'chart';
      selectTab(tab, false);
      if (run !== null && (!state.runs.detail || String(state.runs.detail.id) !== run)) showRun(run);
      if (run === null && tab === 'runs' && state.runs.detail) {
        state.runs.detail = null;
        $('run-detail').hidden = true;
        if (state.runs.list) renderRuns();
      }
    } finally {
      state.restoring = false;
    }
    rememberView();
  }

  // The events' filters and the study's settings the address names (absent: none, the
  // defaults). A study whose settings changed runs again when its tab shows.
  function restoreFilters(p) {
    var day = /^\d{4}-\d{2}-\d{2}$/;
    function choose(id, v) {
      var sel = $(id);
      sel.value = v && sel.querySelector('option[value="' + v.replace(/["\\]/g, '') + '"]') ? v : '';
    }
    var before = [$('ev-filter-category').value, $('ev-filter-region').value, $('ev-filter-from').value,
      $('ev-filter-to').value, $('ev-filter-q').value, state.events.sortDesc].join('|');
    choose('ev-filter-category', p.get('ev_category'));
    choose('ev-filter-region', p.get('ev_region'));
    $('ev-filter-from').value = day.test(p.get('ev_from') || '') ? p.get('ev_from') : '';
    $('ev-filter-to').value = day.test(p.get('ev_to') || '') ? p.get('ev_to') : '';
    $('ev-filter-q').value = p.get('ev_q') || '';
    state.events.sortDesc = p.get('ev_sort') !== 'asc';
    var after = [$('ev-filter-category').value, $('ev-filter-region').value, $('ev-filter-from').value,
      $('ev-filter-to').value, $('ev-filter-q').value, state.events.sortDesc].join('|');
    if (before !== after && state.events.list) renderEvents();

    var cat = p.get('study_category') || DEFAULT_STUDY.category;
    var sel = $('study-category');
    if (!sel.querySelector('option[value="' + cat.replace(/["\\]/g, '') + '"]')) cat = DEFAULT_STUDY.category;
    var win = (p.get('study_window') || DEFAULT_STUDY.window).replace(/\s+/g, '');
    var was = state.study.params || DEFAULT_STUDY;
    sel.value = cat;
    $('study-window').value = win;
    state.study.params = { category: cat, window: win };
    if (was.category !== cat || was.window !== win) state.loaded.study = null;
  }

  function setAsOf(v) {
    state.asOf = v;
    $('as-of').value = v;
    if (state.chart.fromAuto) $('chart-from').value = defaultFrom(v);
  }

  function init() {
    reopenLastView();
    state.lang = initialLang();
    applyI18n();
    initTabs();
    initChartTab();
    initHline();
    initScenarioTab();
    initEventsTab();
    initStudyTab();
    initRunsTab();
    initCallsTab();
    initExports();
    $('lang-en').addEventListener('click', function () { setLang('en', true); });
    window.addEventListener('beforeunload', function (e) {
      if (!state.scenario.unkept) return;
      e.preventDefault();
      e.returnValue = '';
    });
    $('lang-ja').addEventListener('click', function () { setLang('ja', true); });
    $('error-close').addEventListener('click', clearError);
    document.addEventListener('click', function (e) {
      if (state.chart.popPinned && !$('marker-pop').contains(e.target)) hideMarkerPop();
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && state.chart.popFor !== null && state.chart.popFor !== undefined) hideMarkerPop();
    });
    // The charts draw in the colours of the system's light or dark setting: redrawn when it changes.
    if (window.matchMedia) {
      var dark = window.matchMedia('(prefers-color-scheme: dark)');
      var redraw = function () {
        if (state.chart.data) renderChart();
        if (state.scenario.result) renderFan();
        if (state.study.data) renderStudy();
        if (state.calls.detail) renderCallDetail();
      };
      if (dark.addEventListener) dark.addEventListener('change', redraw);
      else if (dark.addListener) dark.addListener(redraw);
    }
    $('as-of').addEventListener('change', function () {
      var v = $('as-of').value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return;
      clearError();
      setAsOf(v);
      saveView(true);
      ensureLoaded(state.tab);
    });
    var first = callInHash() !== null ? 'calls' : runInHash() !== null ? 'runs' : location.hash.replace('#', '');
    if (TABS.indexOf(first) < 0) first = 'chart';
    selectTab(first, false);
    fillCategorySelects();
    if (!LWC) showError({ message: 'lightweight-charts did not load' });
    loadSeries().then(function () {
      fillSeriesSelect();
      restoreView();
      saveView(false);
    });
  }

  // For tests of the layout, in a browser driven by WebDriver only (`navigator.webdriver`;
  // never in normal use): the boxes of the chart's markers and target labels as laid out
  // (page pixels), the chart's state, the downloads, and a way to show a range of dates.
  if (navigator.webdriver === true) window.__aurumTest = {
    markers: function () {
      return Array.prototype.filter.call(document.querySelectorAll('#chart-markers > *'), function (n) { return !n.hidden; })
        .map(function (n) {
          var r = n.getBoundingClientRect();
          return {
            id: n.id, kind: n.classList.contains('marker') ? 'marker' : 'target',
            time: n.getAttribute('data-time'), count: +n.getAttribute('data-count') || 0,
            text: n.textContent, label: !n.classList.contains('dot'),
            left: r.left, top: r.top, right: r.right, bottom: r.bottom,
          };
        });
    },
    downloads: function () { return state.downloads || []; },
    chart: function () {
      var L = state.chart.layout;
      if (!L) return null;
      var r = L.chart.timeScale().getVisibleLogicalRange();
      return {
        mode: L.chart.priceScale('right').options().mode, bars: L.bars.length,
        hline: isNum(state.chart.hline) ? state.chart.hline : null,
        hlineY: isNum(state.chart.hline) ? L.series.priceToCoordinate(state.chart.hline) : null,
        from: r ? r.from : null, to: r ? r.to : null, freq: state.chart.data.freq,
      };
    },
    noSave: false,
    zoom: function (from, to) {
      var L = state.chart.layout;
      if (!L) return false;
      if (from) L.chart.timeScale().setVisibleRange({ from: from, to: to });
      else fitAll(L.chart, L.bars.length);
      scheduleMarkerLayout();
      return true;
    },
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
