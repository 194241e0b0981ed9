// zhibu: one search for the whole site.
// - a search box in the Material header that opens /search/?q=...
// - the search page: Pagefind's JS API with facets, counts and state kept in the URL.
// Everything is loaded from this site; no other host is ever contacted.
(function () {
  "use strict";

  const script = document.currentScript;
  const siteRoot = new URL("..", script.src); // this file lives in <root>/assets/
  const searchUrl = new URL("search/", siteRoot);
  const FACETS = ["类型", "会议类型", "成果类别", "荣誉级别", "活动类型", "项目类型", "组织", "年份", "人员", "标签"];
  // The facets shown open: 类型, another once its heading is opened or it is filtered on. Without words
  // their counts are Pagefind's, which needs a facet's whole filter index (10,000 records: 类型 22 KB,
  // 人员 65 KB); with words they are counted over the listed records (see listedCounts).
  const COUNTED = new Set(["类型"]);
  const PAGE_SIZE = 20;
  // The facets that name the kind of record of one type (understand.py KIND_FACETS; 荣誉级别 too): offered
  // only while that type is among the counted records.
  const KIND_OF = { 会议类型: "会议", 成果类别: "成果", 荣誉级别: "荣誉", 活动类型: "活动", 项目类型: "项目" };

  function element(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // The header box shows the first results as one types (after a pause, as the search page does);
  // Enter or "全部结果" opens the search page with the query.
  const HEADER_RESULTS = 6;
  function addHeaderBox() {
    const inner = document.querySelector(".md-header__inner");
    if (!inner || document.getElementById("zhibu-search")) return;
    const input = element("input", {
      type: "search", name: "q", "aria-label": "搜索档案", placeholder: "搜索档案", autocomplete: "off",
      "aria-controls": "zhibu-header-results",
    });
    const box = element("div", { class: "zhibu-header-results", id: "zhibu-header-results", "aria-live": "polite", hidden: "" });
    const form = element("form", { class: "zhibu-header-search", role: "search", action: searchUrl.href }, input, box);
    const options = inner.querySelector(".md-header__option");
    inner.insertBefore(form, options || null);
    let typing = null;
    let generation = 0;
    input.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => headerResults(form, box, input.value.trim(), ++generation, () => generation), 300);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") { box.querySelector("a")?.focus(); event.preventDefault(); }
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { box.hidden = true; input.focus(); }
    });
    form.addEventListener("focusout", (event) => { if (!form.contains(event.relatedTarget)) box.hidden = true; });
    input.addEventListener("focus", () => { box.hidden = !box.children.length || !input.value.trim(); });
  }

  async function headerResults(form, box, query, mine, current) {
    if (!query) { box.hidden = true; box.replaceChildren(); return; }
    form.dataset.state = "busy";
    const all = new URL(searchUrl);
    all.searchParams.set("q", query);
    let shown = [];
    let label = "在搜索页查看 →";
    try {
      const { found } = await find(await openEngine(), query, {});
      const items = [...found.full, ...found.partial];
      shown = await Promise.all(items.slice(0, HEADER_RESULTS).map(describe));
      if (items.length) label = `全部结果（${items.length} 条${found.unchecked ? "以上" : ""}）→`;
      else if (found.unchecked) label = `已核对最相关的 ${found.checked} 条，尚未找到，到搜索页继续核对 →`;
      else label = `没有找到与“${query}”相关的记录，到搜索页换个说法 →`;
    } catch (error) {
      label = "搜索暂不可用，到搜索页查看 →";
    }
    if (mine !== current()) return;
    box.replaceChildren(
      ...shown.map(({ href, title, line }) => element("a", { href, class: "zhibu-header-results__item" },
        element("span", { class: "zhibu-header-results__title" }, title),
        element("span", { class: "zhibu-header-results__meta" }, line))),
      element("a", { href: all.href, class: "zhibu-header-results__all" }, label));
    box.hidden = document.activeElement !== null && !form.contains(document.activeElement);
    form.dataset.state = "done";
  }

  // Only <mark> survives from an excerpt; everything else is shown as text. Pagefind escapes
  // "<" and ">" in excerpts but not "&", so a typed "&lt;" and a typed "<" look alike there:
  // each escape is read back against the page's own text (data.content).
  function safeExcerpt(html, content) {
    const text = html.replace(/<mark>/g, "\u0001").replace(/<\/mark>/g, "\u0002").replace(/<[^>]*>/g, "");
    const escaped = (content || "").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const at = escaped.indexOf(text.replace(/[\u0001\u0002]/g, ""));
    let i = 0;
    for (let k = 0; k < at; i += 1) k += "<>".includes(content[i]) ? 4 : 1;
    const box = element("span");
    let mark = null;
    let run = "";
    const flush = () => { if (run) (mark || box).append(at < 0 ? decode(run) : run); run = ""; };
    for (let pos = 0; pos < text.length; pos += 1) {
      const ch = text[pos];
      if (ch === "\u0001" || ch === "\u0002") {
        flush();
        mark = ch === "\u0001" ? box.appendChild(element("mark")) : null;
      } else if (at >= 0 && "<>".includes(content[i]) && text.startsWith(content[i] === "<" ? "&lt;" : "&gt;", pos)) {
        run += content[i];
        i += 1;
        pos += 3;
      } else {
        run += ch;
        i += 1;
      }
    }
    flush();
    return box;
  }

  // A match in the title makes Pagefind's excerpt start with the title (or its end), which the result
  // shows above it: drop it up to Pagefind's block separator.
  function dropTitle(box, title) {
    const text = box.textContent;
    const cut = text.indexOf(". ");
    if (!title || cut <= 0 || !title.endsWith(text.slice(0, cut))) return box;
    let drop = cut + 2;
    for (const node of [...box.childNodes]) {
      if (drop <= 0) break;
      const length = node.textContent.length;
      if (length <= drop) {
        node.remove();
      } else {
        const inner = node.nodeType === Node.TEXT_NODE ? node : node.firstChild;
        inner.textContent = inner.textContent.slice(drop);
      }
      drop -= length;
    }
    return box;
  }

  function decode(text) {
    const area = document.createElement("textarea");
    area.innerHTML = text;
    return area.value;
  }

  function segmentWords(query) {
    if (!(window.Intl && Intl.Segmenter)) return [];
    const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
    return [...segmenter.segment(query)].filter((s) => s.isWordLike).map((s) => s.segment);
  }

  // Other spellings of a query that found nothing: the browser's own word segmentation,
  // then the query's Chinese runs as overlapping pairs of characters.
  function alternatives(query) {
    const found = [];
    const add = (words) => {
      const joined = words.filter(Boolean).join(" ");
      if (joined && joined !== query && !found.includes(joined)) found.push(joined);
    };
    const words = segmentWords(query);
    add(words);
    add(words.filter((w) => w.length > 1));
    const pairs = [];
    for (const run of query.match(/[\u3400-\u9fff]+|[A-Za-z0-9.]+/g) || []) {
      if (run.length <= 2 || !/[\u3400-\u9fff]/.test(run)) { pairs.push(run); continue; }
      for (let i = 0; i + 2 <= run.length; i += 1) pairs.push(run.slice(i, i + 2));
    }
    add(pairs);
    return found;
  }

  // ---- the key index: exact matches on titles, names and organisations (see search_keys.py)
  // Their names stay the same from build to build, so the browser asks the server whether each is
  // still current (a 304 costs no bytes): a heuristically cached manifest would mix two builds.
  const cache = new Map();
  function fetchJson(path) {
    if (!cache.has(path)) {
      const response = fetch(new URL(path, siteRoot), { cache: "no-cache" });
      cache.set(path, response.then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    return cache.get(path);
  }

  function normalise(text) {
    return text.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  }

  // A record holding at least this share of the query's character pairs is a partial match
  // (generator/query.py PARTIAL, same pairs as its _pairs).
  const PARTIAL = 0.5;
  function queryPairs(words) {
    return [...new Set(words.flatMap((w) => {
      const chars = [...w];
      return chars.length < 2 ? [w] : pairsOf(w);
    }))];
  }

  function pairsOf(word) {
    const chars = [...word];
    const found = new Set();
    for (let i = 0; i + 1 < chars.length; i += 1) found.add(chars[i] + chars[i + 1]);
    return [...found];
  }

  function bucketOf(pair, buckets) {
    const [a, b] = [...pair].map((c) => c.codePointAt(0));
    return (a * 131 + b) % buckets;
  }

  // ---- query understanding: the rules of generator/understand.py over its data (search/keys/vocab.json).
  // Date phrases first, in order; then the longest known phrase at each position; the rest is words.
  function understand(query, vocab) {
    let text = query.normalize("NFKC").toLowerCase();
    const filters = {};
    const chips = [];
    const named = new Map();
    const add = (facet, values) => { filters[facet] = [...new Set([...(filters[facet] || []), ...values])]; };
    for (const source of vocab.dates) {
      const pattern = new RegExp(source.replace(/\(\?P</g, "(?<"), "g");
      for (const found of text.matchAll(pattern)) {
        const [facet, values, label] = dateFilter(found.groups || {}, vocab.years);
        add(facet, values);
        chips.push([`日期：${label}`, found[0]]);
      }
      text = text.replace(pattern, " ");
    }
    const rest = [];
    for (const piece of phrases([...text], vocab.terms)) {
      const number = piece.length > 1 && Object.prototype.hasOwnProperty.call(vocab.terms, piece) ? vocab.terms[piece] : null;
      if (number === null) { rest.push(piece); continue; }
      const [facet, values, label, names] = vocab.filters[number];
      add(facet, values);
      chips.push([label, piece]);
      for (const [href, name] of names) named.set(href, name);
      rest.push(" ");
    }
    const words = joinRoles(rest.join("").split(/\s+/).filter(Boolean), vocab.roles || {});
    // An org's own page comes first only when the query is nothing but org names.
    const onlyOrgs = !words.length && chips.every(([label]) => label.startsWith("组织："));
    return { words, filters, chips, named: onlyOrgs ? [...named] : [] };
  }

  // Each attendance word joined to the word before it, or else the one after: 缺席 朱文军 → 朱文军缺席.
  function joinRoles(words, roles) {
    const names = Object.keys(roles);
    if (!names.length) return words;
    const pieces = words.flatMap((w) => w.split(new RegExp(`(${names.join("|")})`)).filter(Boolean));
    const joined = [];
    let waiting = "";
    for (const piece of pieces) {
      const role = Object.prototype.hasOwnProperty.call(roles, piece) ? roles[piece] : null;
      if (role === null) {
        joined.push(piece + waiting);
        waiting = "";
      } else if (joined.length && !waiting && !Object.values(roles).some((r) => joined[joined.length - 1].endsWith(r))) {
        joined[joined.length - 1] += role;
      } else {
        if (waiting) joined.push(waiting);
        waiting = role;
      }
    }
    return waiting ? [...joined, waiting] : joined;
  }

  // The query with each word that is no known name but like one (its name part, before an attendance word)
  // written as that name: 阳级炉 支委会 → 阳极炉 支委会 (understand.py respelling, orgnames.py closest).
  const RESPELL_FROM = 3;
  function respelling(query, understood, known, roles) {
    const names = [...new Set(known.map((n) => n.normalize("NFKC").toLowerCase().replace(/\s+/g, "")))];
    const typedText = query.normalize("NFKC").toLowerCase();
    let text = typedText;
    for (const word of understood.words) {
      const role = roles[word.slice(-2)] || "";
      const typed = role && word.endsWith(role) ? word.slice(0, -role.length) : word;
      if ([...typed].length < RESPELL_FROM || names.includes(typed)) continue;
      let best = null;
      for (const name of names) {
        // Near: a character mistyped, dropped or added, neither holding the other (understand.py _near).
        if (Math.abs([...name].length - [...typed].length) > 1 || name.includes(typed) || typed.includes(name)) continue;
        const score = [-similarity(typed, name), name.startsWith(typed) ? 0 : 1, [...name].length, name];
        if (-score[0] >= 0.5 && (!best || before(score, best))) best = score;
      }
      if (best) text = text.replaceAll(typed, best[3]);
    }
    return text !== typedText ? text.split(/\s+/).filter(Boolean).join(" ") : null;
  }

  function before(a, b) {
    const i = a.findIndex((x, k) => x !== b[k]);
    return i >= 0 && a[i] < b[i];
  }

  // The better of the share of the typed pairs in the name and difflib's ratio (orgnames.py _similarity).
  function similarity(typed, name) {
    const pairs = [...typed].length > 1 ? pairsOf(typed) : [typed];
    const share = pairs.filter((p) => name.includes(p)).length / pairs.length;
    const [a, b] = [[...typed], [...name]];
    return Math.max(share, (2 * matched(a, b)) / (a.length + b.length));
  }

  // difflib.SequenceMatcher's matching characters: the longest common run (first in a, then in b), then
  // the same on each side of it.
  function matched(a, b) {
    let best = [0, 0, 0];
    for (let i = 0; i < a.length; i += 1) {
      for (let j = 0; j < b.length; j += 1) {
        let k = 0;
        while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k]) k += 1;
        if (k > best[2]) best = [i, j, k];
      }
    }
    const [i, j, k] = best;
    return k && k + matched(a.slice(0, i), b.slice(0, j)) + matched(a.slice(i + k), b.slice(j + k));
  }

  // Known phrases and single characters, leaving the fewest characters unknown, then the fewest
  // phrases; among equals the longer phrase first (阳极炉甲乙班 + 党小组会, not …党小组 + 会).
  function phrases(chars, terms) {
    const longest = Math.max(0, ...Object.keys(terms).map((t) => [...t].length));
    const best = new Array(chars.length + 1).fill([0, 0, 0]);
    for (let i = chars.length - 1; i >= 0; i -= 1) {
      let choice = [best[i + 1][0] + 1, best[i + 1][1], 1];
      for (let n = Math.min(longest, chars.length - i); n > 1; n -= 1) {
        if (!Object.prototype.hasOwnProperty.call(terms, chars.slice(i, i + n).join(""))) continue;
        const after = best[i + n];
        if (after[0] < choice[0] || (after[0] === choice[0] && after[1] + 1 < choice[1])) choice = [after[0], after[1] + 1, n];
      }
      best[i] = choice;
    }
    const pieces = [];
    for (let i = 0; i < chars.length; i += best[i][2]) pieces.push(chars.slice(i, i + best[i][2]).join(""));
    return pieces;
  }

  function dateFilter(groups, years) {
    const month = (m) => String(Number(m)).padStart(2, "0");
    if (groups.y && groups.m) return ["年月", [`${groups.y}-${month(groups.m)}`], `${groups.y}年${Number(groups.m)}月`];
    if (groups.y) return ["年份", [groups.y], `${groups.y}年`];
    return ["年月", years.map((y) => `${y}-${month(groups.m)}`), `每年${Number(groups.m)}月`];
  }

  // Facet choices and understood filters together: within a facet a record must satisfy both.
  function combine(chosen, understood) {
    const found = {};
    for (const [name, values] of Object.entries(chosen)) if (values.length) found[name] = values;
    for (const [name, values] of Object.entries(understood)) {
      found[name] = found[name] ? found[name].filter((v) => values.includes(v)) : values;
    }
    return found;
  }

  const KEY_PAIRS = 4; // pairs looked up per word: its first, last and two middle ones
  // What one batch reads to decide what holds every word: without filters the key rows of this many
  // row files (with filters every candidate row, as the rows hold what filters test) and the text of this
  // many of Pagefind's most relevant results. While some are unread the count says "以上"; "显示更多"
  // reads the next batch.
  const KEY_FILES = 12;
  const CHECKED = 60;
  // While a search has found nothing, up to this many batches are read at once: a record that holds the
  // words once in a long text can rank below dozens that hold their parts many times.
  const BATCHES_WHILE_NONE = 5;

  function matchesFilters(hit, filters) {
    return Object.entries(filters).every(([name, values]) =>
      !values.length || (hit.filters[name] || []).some((v) => values.includes(v)));
  }

  function intersect(a, b) {
    return a === null ? b : new Set([...a].filter((n) => b.has(n)));
  }

  // The key index's candidates for the words: title matches first, each part in key-index order (newest first).
  async function keyCandidates(words, filters) {
    const none = { unread: [] };
    if (!words.length || words.some((w) => [...w].length < 2)) return none;
    const manifest = await fetchJson("search/keys/manifest.json");
    if (!manifest || !manifest.count) return none;
    const allPairs = [...new Set(words.flatMap((w) => spread(pairsOf(w), KEY_PAIRS)))];
    const buckets = await Promise.all(allPairs.map((p) => fetchJson(`search/keys/b${bucketOf(p, manifest.buckets)}.json`)));
    let inTitle = null;
    let anywhere = null;
    allPairs.forEach((pair, i) => {
      const bucket = buckets[i] || { t: {}, k: {}, c: [] };
      if (bucket.c.includes(pair)) return; // too common to narrow: the rows decide
      const title = ungap(bucket.t[pair]);
      inTitle = intersect(inTitle, new Set(title));
      anywhere = intersect(anywhere, new Set([...title, ...ungap(bucket.k[pair])]));
    });
    if (anywhere === null) return none;
    const byNumber = (a, b) => a - b;
    const candidates = [...[...inTitle].sort(byNumber), ...[...anywhere].filter((n) => !inTitle.has(n)).sort(byNumber)];
    const { unread, rowsDecide } = await cutByColumns(candidates, filters, manifest);
    return { unread, rowsDecide, manifest, words, filters };
  }

  // A filter on a column facet (keys.py COLUMNS) drops candidates before any row is read. Another
  // filter (人员, 标签) is tested on the rows: then every candidate row is read.
  async function cutByColumns(candidates, filters, manifest) {
    const active = Object.entries(filters).filter(([, values]) => values.length);
    const columned = active.filter(([name]) => (manifest.columns || []).includes(name));
    const columns = await Promise.all(columned.map(([name]) => fetchJson(`search/keys/f-${name}.json`)));
    let unread = candidates;
    columned.forEach(([, values], i) => {
      const column = columns[i];
      if (!column) return;
      const wanted = new Set(column.v.map((held, i) => (held.some((v) => values.includes(v)) ? i + 1 : 0)).filter(Boolean));
      unread = unread.filter((n) => wanted.has(columnValue(column, n)));
    });
    return { unread, rowsDecide: columned.length < active.length || columns.some((c) => !c) };
  }

  // The number of a record's values in a column: its W characters, digits of keys.py's ALPHABET.
  const DIGITS = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== '"' && c !== "\\").join("");
  function columnValue(column, n) {
    let value = 0;
    for (const char of column.c.slice(n * column.w, (n + 1) * column.w)) value = value * DIGITS.length + DIGITS.indexOf(char);
    return value;
  }

  // Pairs may stand apart in a key, and filters narrow the rows: each candidate row is checked. A batch
  // reads the unread candidates in the next KEY_FILES row files, title matches and the newest first
  // (all of them when a filter only the rows can test); `keys.unread` keeps the others for the next batch.
  async function keyRows(keys) {
    if (!keys.unread.length) return [];
    const { manifest, words, filters, rowsDecide } = keys;
    const files = new Set();
    const fileOf = (n) => Math.floor(n / manifest.chunk);
    for (const n of keys.unread) if (rowsDecide || files.size < KEY_FILES) files.add(fileOf(n));
    const numbers = keys.unread.filter((n) => files.has(fileOf(n)));
    keys.unread = keys.unread.filter((n) => !files.has(fileOf(n)));
    const people = await fetchJson("search/keys/people.json");
    const rows = await Promise.all(numbers.map(async (n) => {
      const chunk = await fetchJson(`search/keys/r${fileOf(n)}.json`);
      return chunk ? chunk[n % manifest.chunk] : null;
    }));
    return rankRows(rows, words, words.join(""), people, filters).sort((a, b) => a.tier - b.tier || a.order - b.order);
  }

  // Record numbers are stored as gaps: the first number, then the differences (search_keys.py).
  function ungap(gaps) {
    let number = 0;
    return (gaps || []).map((gap) => (number += gap));
  }

  function spread(list, most) {
    if (list.length <= most) return list;
    const picked = new Set([0, list.length - 1]);
    for (let i = 1; picked.size < most; i += 1) picked.add(Math.round((i * (list.length - 1)) / (most - 1)));
    return [...picked].sort((a, b) => a - b).map((i) => list[i]);
  }

  function rankRows(rows, words, whole, people, filters) {
    return rows
      .map((row, order) => {
        if (!row) return null;
        const names = row[6].map((n) => people[n]);
        const tags = row[7]["标签"] || [];
        const keys = [row[1], row[3], ...row[8], ...tags, ...names].filter(Boolean);
        const facets = names.length ? { ...row[7], 人员: names } : row[7];
        // Where every word occurs: the title is the query, the title, title and tags, any key.
        const title = normalise(row[1]);
        const titleTags = normalise([row[1], ...tags].join(" "));
        const tier = title === whole ? 0 : words.every((w) => title.includes(w)) ? 1
          : words.every((w) => titleTags.includes(w)) ? 2 : 3;
        return { row, order, tier, words, keys, filters: facets };
      })
      .filter(Boolean)
      .filter((hit) => words.every((w) => hit.keys.some((k) => normalise(k).includes(w))))
      .filter((hit) => matchesFilters(hit, filters));
  }

  function readState() {
    const params = new URLSearchParams(window.location.search);
    const filters = {};
    for (const name of FACETS) {
      const values = params.getAll(name);
      if (values.length) filters[name] = values;
    }
    return { q: params.get("q") || "", filters };
  }

  // A change the user makes (a chip removed, a facet ticked, a search sent) is a step Back undoes;
  // typing only updates the address.
  function writeState(state, step) {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    for (const name of FACETS) for (const value of state.filters[name] || []) params.append(name, value);
    const query = params.toString();
    const url = query ? `?${query}` : window.location.pathname;
    if (url === window.location.search || (!query && !window.location.search)) return;
    window.history[step ? "pushState" : "replaceState"](null, "", url);
  }

  // ---- one search, shared by the search page and the header box

  // Pagefind and the vocabulary, loaded once a page and only when a search is made.
  let engine = null;
  function openEngine() {
    engine = engine || (async () => {
      const pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
      const options = { excerptLength: 40, baseUrl: siteRoot.pathname };
      await pagefind.options(options);
      await pagefind.init();
      // The index (generator/stages/index.py) is a base in shards, the first the one imported above,
      // and a delta index of the pages changed since: all are merged and searched as one.
      // Sorted by date, each shard scores a result by its place among the shard's own pages: weighing
      // a shard by its size puts places of different shards on one scale (see settleOrder).
      const { shards = [], pages = {}, delta = null, dropped = {}, days = {} } =
        (await fetchJson("pagefind/zhibu-shards.json")) || {};
      const largest = Math.max(1, ...Object.values(pages));
      const weight = (folder) => largest / (pages[folder] || largest);
      if (shards.length) await pagefind.options({ indexWeight: weight("") });
      await Promise.all([...shards, ...(delta ? [delta] : [])].map((folder) =>
        pagefind.mergeIndex(new URL(`pagefind/${folder}/`, siteRoot).href, { ...options, indexWeight: weight(folder) })));
      const vocab = (await fetchJson("search/keys/vocab.json")) || { dates: [], years: [], filters: [], terms: {} };
      const search = async (term, searchOptions) => replaced(await pagefind.search(term, searchOptions), dropped, days);
      return { pagefind, vocab, search, sharded: shards.length > 0 || Boolean(delta) };
    })();
    return engine;
  }

  // A base page changed or deleted since the base index was made is dropped from the results and
  // from the facet counts (a page the delta holds unchanged, under the same id, is kept once); a delta
  // page carries its day, where the listing without words puts it (settleOrder).
  function replaced(search, dropped, days) {
    const seen = new Map();
    const counts = search.filters || {};
    const results = search.results.filter((result) => {
      if (result.id in days) result.day = days[result.id];
      if (!(result.id in dropped)) return true;
      const [filters, kept] = dropped[result.id];
      const copy = (seen.get(result.id) || 0) + 1;
      seen.set(result.id, copy);
      if (copy <= kept) return true;
      for (const [name, values] of Object.entries(filters)) {
        for (const value of values) if (counts[name] && counts[name][value]) counts[name][value] -= 1;
      }
      return false;
    });
    return { ...search, results, filters: counts };
  }

  // What the query means, the key matches and Pagefind's candidates, sorted into the lists to show.
  async function find(engine, query, chosen) {
    const { vocab, sharded } = engine;
    const understood = understand(query, vocab);
    const words = understood.words.map(normalise).filter(Boolean);
    const filters = combine(chosen, understood.filters);
    const text = understood.words.join(" ");
    const [keys, { search, used }] = await Promise.all([keyCandidates(words, filters), fullText(engine, text, filters)]);
    const { named, results } = words.length ? { named: [], results: search.results } : await namedFirst(engine, understood.named, filters, search.results);
    const found = { named, keys, results, words, sharded: !words.length && sharded,
      checked: 0, seen: new Set(), keyHits: new Map(), full: [], partial: [], unchecked: 0 };
    await readBatches(found);
    return { text, search, used, found };
  }

  // Without words a named org's page is listed first, once, and only when the filters allow it: it is
  // one of the org pages among the results (a search of those, a fragment each, only then).
  async function namedFirst({ search: searchIndex }, named, filters, results) {
    const types = combine(filters, { 类型: ["组织"] })["类型"];
    if (!named.length || !types.length) return { named: [], results };
    const orgs = (await searchIndex(null, { filters: pagefindFilters({ ...filters, 类型: types }) })).results;
    const pages = new Map(await Promise.all(orgs.map(async (result) => [new URL((await result.data()).url, window.location.href).pathname, result.id])));
    const kept = named.filter(([href]) => pages.has(new URL(href, siteRoot).pathname));
    const ids = new Set(kept.map(([href]) => pages.get(new URL(href, siteRoot).pathname)));
    return { named: kept, results: results.filter((result) => !ids.has(result.id)) };
  }

  function pagefindFilters(filters) {
    return Object.fromEntries(Object.entries(filters).map(([name, values]) => [name, { any: values }]));
  }

  // Pagefind (1.4) ignores a query word whose index chunk is not loaded yet, and a word
  // that is not in the index at all: load every word first, and only accept a respelling
  // whose every word is found on its own.
  async function preload(pagefind, query) {
    const words = new Set([...query.split(/\s+/), ...segmentWords(query)].filter(Boolean));
    await Promise.all([...words].map((w) => pagefind.preload(w)));
  }

  async function everyWordFound(searchIndex, query) {
    const counts = await Promise.all(query.split(/\s+/).map(async (w) => (await searchIndex(w)).results.length));
    return counts.every((n) => n > 0);
  }

  // Pagefind finds the candidates; without words, every record the filters allow, newest first.
  async function fullText({ pagefind, search: searchIndex }, query, filters) {
    const wanted = pagefindFilters(filters);
    if (!query) return { search: await listing(searchIndex, wanted), used: query };
    await preload(pagefind, query);
    let search = await searchIndex(query, { filters: wanted });
    let used = query;
    if (search.results.length === 0) {
      for (const other of alternatives(query)) {
        await preload(pagefind, other);
        if (!(await everyWordFound(searchIndex, other))) continue;
        const retry = await searchIndex(other, { filters: wanted });
        if (retry.results.length) { search = retry; used = other; break; }
      }
    }
    return { search, used };
  }

  // Without words, every record the filters allow: newest first, then those without a date (people,
  // orgs), which Pagefind leaves out when sorting by date but counts, in an order every index layout
  // shares (their ids come from their text). The counts are of them all.
  async function listing(searchIndex, filters) {
    const [dated, all] = await Promise.all([searchIndex(null, { filters, sort: { date: "desc" } }), searchIndex(null, { filters })]);
    const listed = new Set(dated.results.map((result) => result.id));
    const undated = all.results.filter((result) => !listed.has(result.id)).sort((a, b) => a.id.localeCompare(b.id));
    return { ...all, results: [...dated.results, ...undated] };
  }

  // The next batch, and more while nothing is found and candidates are unread (BATCHES_WHILE_NONE in all).
  async function readBatches(found) {
    for (let read = 0; read < BATCHES_WHILE_NONE && (!read || (found.unchecked && !found.full.length && !found.partial.length)); read += 1) {
      await readBatch(found);
    }
  }

  // Everything to list, each record once, in order: named orgs, key matches (every word in a key
  // field), then Pagefind's results holding every word (newest first), then partial matches: those
  // holding at least half of the query's character pairs, most first (as zhibu search ranks them).
  // Without words every result is listed and its page is loaded only when shown; with words, a batch
  // reads the next key rows (keyRows) and the text of the next CHECKED most relevant results, and
  // appends what it finds to found.full and found.partial (`found.unchecked` counts what is unread).
  async function readBatch(found) {
    const { words, results } = found;
    const isNew = (path) => !found.seen.has(path) && Boolean(found.seen.add(path));
    const named = found.named.splice(0).filter(([href]) => isNew(new URL(href, siteRoot).pathname));
    const keyHits = (await keyRows(found.keys)).filter((hit) => isNew(new URL(hit.row[0], siteRoot).pathname));
    keyHits.forEach((hit) => found.keyHits.set(new URL(hit.row[0], siteRoot).pathname, hit));
    found.full.push(...named.map((name) => ({ named: name, list: "full" })), ...keyHits.map((hit) => ({ hit, list: "full" })));
    const batch = results.slice(found.checked, words.length ? found.checked + CHECKED : results.length);
    found.checked += batch.length;
    if (!words.length) {
      found.full.push(...batch.map((result) => ({ result, list: "full", delta: "day" in result, day: result.day })));
      return;
    }
    const loaded = await Promise.all(batch.map((result) => result.data()));
    const pairs = queryPairs(words);
    const rest = [];
    for (const data of loaded) {
      const href = new URL(data.url, window.location.href);
      if (found.keyHits.has(href.pathname)) found.keyHits.get(href.pathname).data ||= data; // its excerpt, from its text
      if (!isNew(href.pathname)) continue;
      const meta = data.meta || {};
      const whole = normalise(`${meta.title || ""} ${data.content || ""} ${meta.org || ""}`);
      const share = pairs.filter((p) => whole.includes(p)).length / pairs.length;
      rest.push({ data, href, meta, share, list: words.every((w) => whole.includes(w)) ? "full" : "partial" });
    }
    const newest = (a, b) => (b.meta.day || "").localeCompare(a.meta.day || "");
    found.full.push(...rest.filter((r) => r.list === "full").sort(newest));
    found.partial.push(...rest.filter((r) => r.list === "partial" && r.share >= PARTIAL).sort((a, b) => b.share - a.share || newest(a, b)));
    found.unchecked = found.keys.unread.length + results.length - found.checked;
  }

  // Without words the results come newest first, but from a sharded index only nearly so (each
  // shard is sorted on its own): the next base items to show are put in date order over twice a page,
  // with the delta items (their days known, wherever Pagefind put them) no older than those.
  async function settleOrder(found, from) {
    const first = found.full.findIndex((item) => item.result);
    if (first < 0) return;
    const start = Math.max(from, first);
    const rest = found.full.slice(start);
    const base = rest.filter((item) => !item.delta);
    const window = base.slice(0, 2 * PAGE_SIZE);
    await Promise.all(window.map(async (item) => { item.day ??= ((await item.result.data()).meta || {}).day || ""; }));
    const oldest = base.length > window.length ? window.reduce((day, item) => (item.day < day ? item.day : day), "\uffff") : "";
    const delta = rest.filter((item) => item.delta);
    const order = [...window, ...delta.filter((item) => item.day >= oldest)].sort((a, b) => b.day.localeCompare(a.day));
    found.full.splice(start, rest.length, ...order, ...base.slice(window.length), ...delta.filter((item) => item.day < oldest));
  }

  // What a listed item shows: link, title, a line of date, org and type, and an excerpt.
  async function describe(item) {
    if (item.named) return { href: new URL(item.named[0], siteRoot).href, title: item.named[1], line: "组织", excerpt: "" };
    if (item.hit) {
      const [href, title, ...line] = item.hit.row;
      const data = item.hit.data;
      return { href: new URL(href, siteRoot).href, title, line: metaLine(...line.slice(0, 4)),
        excerpt: data ? dropTitle(safeExcerpt(data.excerpt || "", data.content), title) : keyExcerpt(item.hit) };
    }
    const data = item.result ? await item.result.data() : item.data;
    const meta = data.meta || {};
    const type = ((data.filters || {})["类型"] || [])[0];
    return { href: new URL(data.url, window.location.href).href, title: meta.title || data.url,
      line: metaLine(meta.date, meta.org, type, meta.kind), excerpt: dropTitle(safeExcerpt(data.excerpt || "", data.content), meta.title) };
  }

  function metaLine(...parts) {
    return parts.filter(Boolean).filter((p, i, all) => all.indexOf(p) === i).join(" · ");
  }

  // For a key match whose text Pagefind did not return: the names, tags or agenda titles that matched,
  // with the query marked (never the title again: it is the line above).
  function keyExcerpt(hit) {
    const box = element("span");
    const matched = new Set(hit.keys.filter((k) => k !== hit.row[1] && hit.words.some((w) => normalise(k).includes(w))));
    [...matched].slice(0, 5).forEach((key, i) => {
      if (i) box.append("、");
      const spot = hit.words.find((w) => key.toLowerCase().includes(w));
      const at = spot ? key.toLowerCase().indexOf(spot) : -1;
      if (at < 0) { box.append(key); return; }
      box.append(key.slice(0, at), element("mark", {}, key.slice(at, at + spot.length)), key.slice(at + spot.length));
    });
    return box;
  }

  function resultItem(href, title, line, excerpt) {
    return element("li", { class: "zhibu-search__result" },
      element("a", { href, class: "zhibu-search__title" }, title),
      element("div", { class: "zhibu-search__meta" }, line),
      element("p", { class: "zhibu-search__excerpt" }, excerpt));
  }

  async function startSearch(app) {
    const form = app.querySelector("form");
    const input = form.querySelector("input");
    const status = app.querySelector(".zhibu-search__status");
    const chipBox = app.querySelector(".zhibu-search__chips");
    const facetBox = app.querySelector(".zhibu-search__facets");
    const resultBox = app.querySelector(".zhibu-search__results");
    let opened;
    try {
      opened = await openEngine();
    } catch (error) {
      status.textContent = window.location.protocol === "file:"
        ? "直接打开的文件不能搜索：请用网页服务器打开本站（zhibu serve，或任何静态网页服务器）。"
        : "搜索索引加载失败，请联系管理员重新生成站点。";
      app.dataset.state = "failed";
      return;
    }
    const { pagefind, vocab } = opened;
    const state = readState();
    input.value = state.q;
    let generation = 0;

    async function run(step) {
      writeState(state, step);
      const mine = ++generation;
      app.dataset.state = "busy";
      await search(mine);
      if (mine === generation) app.dataset.state = "done";
    }

    // The understood filters, each removable: removing one takes its phrase out of the query (the one searched).
    function showChips(understood, query) {
      chipBox.replaceChildren();
      understood.chips.forEach(([label, phrase]) => {
        const remove = element("button", { type: "button", class: "zhibu-chip__remove", "aria-label": `去掉条件 ${label}` }, "×");
        remove.addEventListener("click", () => {
          state.q = query.normalize("NFKC").toLowerCase().replace(phrase, " ").replace(/\s+/g, " ").trim();
          input.value = state.q;
          run(true);
        });
        chipBox.append(element("span", { class: "zhibu-chip" }, label, " ", remove));
      });
    }

    // A query word like a known name (阳级炉, 苏勇刚) when nothing holds every word: the query with the name
    // (understand.py respelling), searched instead when it finds records, offered as a link when not.
    async function respelled(typed, understood, first) {
      if (!first.found.words.length || first.found.full.length || first.found.unchecked) return { query: typed, understood, ...first };
      const people = (await fetchJson("search/keys/people.json")) || [];
      const suggested = respelling(typed, understood, [...Object.keys(vocab.terms), ...people], vocab.roles || {});
      if (!suggested) return { query: typed, understood, ...first };
      const meant = understand(suggested, vocab);
      if (!meant.words.some(normalise)) await loadFacets();
      const again = await find(opened, suggested, state.filters);
      if (!again.found.full.length) return { query: typed, understood, ...first, suggested };
      return { query: suggested, understood: meant, ...again };
    }

    async function search(mine) {
      const typed = state.q.trim();
      let understood = understand(typed, vocab);
      if (!understood.words.some(normalise)) await loadFacets();
      if (!typed && !Object.keys(combine(state.filters, understood.filters)).length) {
        showChips(understood, typed);
        const totals = (await opened.search(null, {})).filters;
        if (mine !== generation) return;
        status.textContent = "输入关键词，或在左侧按类型、组织、年份、人员筛选。";
        showFacets(totals, null, false);
        resultBox.replaceChildren();
        return;
      }
      const answer = await respelled(typed, understood, await find(opened, typed, state.filters));
      if (mine !== generation) return;
      const { query, text, search, used, found, suggested } = answer;
      understood = answer.understood;
      const filters = combine(state.filters, understood.filters);
      showChips(understood, query);
      // The status line, and "是不是“…”？" when a respelling found nothing whole either.
      const say = (line) => {
        if (!suggested) { status.textContent = line; return; }
        const link = element("a", { href: `?q=${encodeURIComponent(suggested)}`, class: "zhibu-search__suggested" }, `“${suggested}”`);
        link.addEventListener("click", (event) => {
          event.preventDefault();
          state.q = suggested;
          input.value = suggested;
          run(true);
        });
        status.replaceChildren(`${line}是不是`, link, "？");
      };
      // Without words the list is Pagefind's results, so are the counts; with words, the records listed.
      const facets = () => (found.words.length
        ? showFacets(...listedCounts(found, filters), found.unchecked > 0)
        : showFacets(search.filters, null, found.unchecked > 0));
      const nothing = text ? `没有找到与“${query}”相关的记录。可以换个说法，或去掉一些条件。` : "没有符合筛选条件的记录。";
      if (!found.full.length && !found.partial.length && !found.unchecked) {
        facets();
        resultBox.replaceChildren();
        say(nothing);
        return;
      }
      const lists = {
        full: element("ol", { class: "zhibu-search__list", "data-list": "full" }),
        heading: element("h2", { class: "zhibu-search__partial", hidden: "" }),
        partial: element("ol", { class: "zhibu-search__list", "data-list": "partial" }),
      };
      resultBox.replaceChildren(lists.full, lists.heading, lists.partial);
      const respelledAs = query !== typed ? `（按“${query}”查找）` : used !== text ? `（按“${used}”查找）` : "";
      // The counts so far; "以上" and the advice while some candidates are unread.
      const report = () => {
        facets();
        const more = found.unchecked ? "以上" : "";
        const narrow = found.unchecked ? "结果较多，已核对最相关的部分（“显示更多”继续核对）：加一个关键词或条件可以缩小范围。" : "";
        lists.heading.textContent = `部分匹配：只包含部分关键词的记录（${found.partial.length} 条${more}）`;
        // Nothing found in the batches read: never 没有找到 while some are unread, and once all are, nothing else.
        if (!found.full.length && !found.partial.length) {
          say(found.unchecked
            ? `已核对最相关的 ${found.checked} 条结果，其中没有与“${query}”相关的记录；其余的尚未核对（“显示更多”继续核对）。也可以换个说法，或加一个条件缩小范围。`
            : nothing);
          return;
        }
        say(found.full.length
          ? `找到 ${found.full.length} 条${more}记录${respelledAs}${found.partial.length ? `，另有 ${found.partial.length} 条${more}部分匹配` : ""}。${narrow}`
          : `没有同时包含${understood.words.map((w) => `“${w}”`).join("")}的记录。下面是 ${found.partial.length} 条${more}部分匹配的记录${respelledAs}。${narrow}`);
      };
      await showMore({ found, lists, report }, mine, false);
    }

    // Pagefind matches a page holding any part of a word, the list only those holding every word (or
    // half its pairs): the facets count the listed records, full and partial matches, by the filters
    // their key rows or loaded pages carry, so a count is what ticking its value lists and nothing more
    // is fetched. While candidates are unread they count those read so far, shown as lower bounds.
    // Also the facets any listed record has a value in: only those are offered (the others would list nothing).
    function listedCounts(found, filters) {
      const counts = Object.fromEntries([...COUNTED, ...Object.keys(filters)].map((name) => [name, {}]));
      const held = new Set();
      for (const item of [...found.full, ...found.partial]) {
        const filtersOf = item.hit ? item.hit.filters : (item.data || {}).filters || {};
        for (const [name, values] of Object.entries(filtersOf)) {
          if (values.length) held.add(name);
          if (!(name in counts)) continue;
          for (const value of values) counts[name][value] = (counts[name][value] || 0) + 1;
        }
      }
      return [counts, held];
    }

    // A page of results: the next full matches, then the next partial ones. While fewer than a page of
    // full matches wait and candidates are unread, the button (`next`) reads the next batches first.
    async function showMore({ found, lists, report }, mine, next) {
      const waiting = () => [...found.full.slice(lists.full.children.length), ...found.partial.slice(lists.partial.children.length)];
      if (next && found.unchecked && found.full.length - lists.full.children.length < PAGE_SIZE) await readBatches(found);
      if (found.sharded) await settleOrder(found, lists.full.children.length);
      const slice = waiting().slice(0, PAGE_SIZE);
      const shown = await Promise.all(slice.map(describe));
      if (mine !== generation) return;
      resultBox.querySelector(".zhibu-search__more")?.remove();
      slice.forEach((item, i) => {
        const { href, title, line, excerpt } = shown[i];
        lists[item.list].append(resultItem(href, title, line, excerpt));
      });
      lists.heading.hidden = !lists.partial.children.length;
      report();
      const rest = waiting().length;
      if (rest || found.unchecked) {
        const more = element("button", { type: "button", class: "zhibu-search__more" },
          rest ? `显示更多（还有 ${rest} 条${found.unchecked ? "以上" : ""}）` : "显示更多（继续核对其余结果）");
        more.addEventListener("click", async () => {
          app.dataset.state = "busy";
          await showMore({ found, lists, report }, mine, true);
          if (mine === generation) app.dataset.state = "done";
        });
        resultBox.append(more);
      }
    }

    // Pagefind counts a facet only once its filter index is loaded: load the counted ones (a filter
    // that matches nothing asks for the index without searching).
    async function loadFacets() {
      await Promise.all([...COUNTED].map((name) => pagefind.preload(null, { filters: { [name]: { none: [""] } } })));
    }

    // `held`: the facets the listed records have values in (with words), null for Pagefind's counts.
    function showFacets(counts, held, lower) {
      facetBox.replaceChildren();
      for (const name of FACETS) {
        const chosen = state.filters[name] || [];
        const types = (counts || {})["类型"];
        if (!chosen.length && types && name in KIND_OF && !types[KIND_OF[name]]) continue;
        if (!(name in (counts || {})) && !chosen.length) {
          if (!held || held.has(name)) facetBox.append(closedFacet(name));
          continue;
        }
        const values = [...new Set([...Object.keys((counts || {})[name] || {}), ...chosen])];
        const options = values
          .map((value) => [value, ((counts || {})[name] || {})[value] || 0])
          .filter(([value, count]) => count > 0 || chosen.includes(value))
          .sort((a, b) => (name === "年份" ? b[0].localeCompare(a[0]) : b[1] - a[1] || a[0].localeCompare(b[0], "zh")));
        if (!options.length) continue;
        const group = element("fieldset", { class: "zhibu-facet", "data-facet": name }, element("legend", {}, name));
        for (const [value, count] of options.slice(0, 30)) {
          const box = element("input", { type: "checkbox", value });
          box.checked = chosen.includes(value);
          box.addEventListener("change", () => {
            const next = new Set(state.filters[name] || []);
            if (box.checked) next.add(value); else next.delete(value);
            state.filters[name] = [...next];
            run(true);
          });
          // While candidates are unread a count is a lower bound, marked as the total's "以上" is.
          const shown = lower
            ? element("span", { class: "zhibu-facet__count", title: `${count} 条以上` }, `${count}+`)
            : element("span", { class: "zhibu-facet__count" }, String(count));
          const label = element("label", {}, box, ` ${value} `, shown);
          group.append(label);
        }
        facetBox.append(group);
      }
    }

    function closedFacet(name) {
      const open = element("button", { type: "button", class: "zhibu-facet__open", "aria-expanded": "false" }, `${name} ▸`);
      open.addEventListener("click", () => {
        COUNTED.add(name);
        run(false);
      });
      return element("fieldset", { class: "zhibu-facet", "data-facet": name, "data-closed": "" }, element("legend", {}, open));
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(typing);
      state.q = input.value;
      run(true);
    });
    // Typing searches after a pause and keeps the address current without a history step.
    let typing = null;
    input.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => { state.q = input.value; run(false); }, 300);
    });
    window.addEventListener("popstate", () => {
      Object.assign(state, readState());
      input.value = state.q;
      run(false);
    });
    run(false);
  }

  window.zhibuSearch = { understand, respelling }; // the tests compare it with generator/understand.py
  addHeaderBox();
  const app = document.getElementById("zhibu-search");
  if (app) startSearch(app);
})();
