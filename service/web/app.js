/*
 * haplomatch: the coordinator's page ("which of this patient's relatives can
 * donate, and why not the others?").
 *
 * Plain ES2020, no framework and no build step: the service embeds this file
 * and serves it under a strict Content-Security-Policy (no inline script or
 * style, no eval, same-origin fetches only). Every value shown comes from the
 * user or the server and is untrusted text, so the DOM is built with
 * createElement/textContent only, never innerHTML.
 *
 * Clinical rules the code keeps:
 *  - the verdicts are the server's: a donor reads ELIGIBLE only when the match
 *    document says status "eligible" and eligible true;
 *  - every reason sentence is shown verbatim, in the server's groups;
 *  - every error (server, network, a rejected row) is shown, never dropped;
 *  - results always describe the inputs they were computed from: they are
 *    cleared when a new check starts and flagged when the inputs change.
 */
"use strict";

(() => {
  // ---------------------------------------------------------------- constants

  // The per-locus boxes, in chromosome order (as the family report lists them).
  const LOCI = ["A", "C", "B", "DRB1", "DQB1", "DPB1"];

  // Status → badge. The symbol and the words carry the meaning; colour only
  // repeats it. Anything the page does not know is shown as needing review.
  const STATUS = {
    "eligible": { label: "ELIGIBLE", icon: "✓", cls: "eligible" },
    "needs-review": { label: "NEEDS REVIEW", icon: "?", cls: "review" },
    "not-eligible": { label: "NOT ELIGIBLE", icon: "✗", cls: "excluded" },
    "not-assessed": { label: "NOT ASSESSED", icon: "–", cls: "unassessed" },
  };

  // The server's reason groups, in the order a coordinator reads them.
  const REASON_GROUPS = [
    { key: "excludes", title: "Excludes" },
    { key: "to_check", title: "To check" },
    { key: "passes", title: "Passes" },
    { key: "notes", title: "Notes" },
  ];

  // "Add a relative" choices → the donor-file columns role and relationship.
  const RELATIVE_KINDS = {
    "father": { role: "father", relationship: "father" },
    "mother": { role: "mother", relationship: "mother" },
    "brother": { role: "sibling", relationship: "brother" },
    "sister": { role: "sibling", relationship: "sister" },
    "son": { role: "child", relationship: "son" },
    "daughter": { role: "child", relationship: "daughter" },
    "maternal-half": { role: "maternal_half_sibling", relationship: "half_sibling" },
    "paternal-half": { role: "paternal_half_sibling", relationship: "half_sibling" },
    "half": { role: "half_sibling", relationship: "half_sibling" },
    "partner": { role: "partner", relationship: "unrelated" },
    "related": { role: "other", relationship: "related" },
    "unrelated": { role: "other", relationship: "unrelated" },
  };

  // The columns a plain donor row has (the family-only ones, role, family_id
  // and other_parent, are left out of "donors": /v1/match refuses them there).
  const DONOR_COLUMNS = ["id", "typing", "relationship", "birth_date", "age", "sex", "abo", "cmv", "kir"];

  const VALIDATE_DELAY_MS = 300;
  const RANK_TOP = 1000;
  const SHOW_FILE_TEXT_MAX = 200000; // larger uploads are sent, not echoed into the textarea

  // ---------------------------------------------------------------- state

  const state = {
    rows: [],             // [{key, row, source, warnings}]: row goes back to the server as it came
    nextKey: 1,
    isFamily: false,      // /v1/donor-file said "family": true
    fileReport: null,     // the last /v1/donor-file answer (rejected rows, warnings)
    version: null,        // GET /v1/version
    results: null,        // {match, rank, family, inputs, at}
    running: false,
    runCount: 0,
  };

  // ---------------------------------------------------------------- DOM helpers

  const byId = (id) => document.getElementById(id);

  /**
   * Creates an element. attrs: class, text (textContent), data (dataset),
   * hidden, and plain attributes. Inline styles and on* handlers are refused
   * on purpose: the CSP forbids them and a typo should fail loudly here.
   */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    applyAttrs(node, attrs);
    appendAll(node, children);
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    applyAttrs(node, attrs);
    appendAll(node, children);
    return node;
  }

  function applyAttrs(node, attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "style" || name.startsWith("on")) throw new Error(`el: attribute ${name} is not allowed`);
      if (name === "class") node.setAttribute("class", value);
      else if (name === "text") node.textContent = String(value);
      else if (name === "data") for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
      else if (name === "hidden") node.hidden = true;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
  }

  function appendAll(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  function clear(node) {
    node.replaceChildren();
    return node;
  }

  /** A value for display: blank, null and undefined read as a dash. */
  function show(value) {
    return value === null || value === undefined || value === "" ? "—" : String(value);
  }

  const pad2 = (n) => String(n).padStart(2, "0");

  /** The local date as YYYY-MM-DD (what an input type=date holds). */
  function todayISO(d = new Date()) {
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  }

  /** "2026-11-26 14:05": unambiguous in any locale, for the printed report. */
  function localDateTime(d) {
    return `${todayISO(d)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  }

  function capitalise(text) {
    return text ? text[0].toUpperCase() + text.slice(1) : text;
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  // ---------------------------------------------------------------- messages

  const messages = {
    /** The polite live region: progress and counts. */
    status(text) {
      byId("status").textContent = text;
    },

    /** Adds an error to the alert region, in plain words, with its context. */
    error(context, err) {
      const text = err instanceof Error ? err.message : String(err);
      const code = err && err.code ? err.code : "";
      const item = el("div", { class: "alert-item" },
        el("p", { class: "alert-text" },
          el("strong", { text: `${context}: ` }), text,
          code && code !== "network" ? el("span", { class: "alert-code", text: ` (${code})` }) : null),
        el("button", { type: "button", class: "button button-small alert-dismiss", "aria-label": `Dismiss: ${context}` }, "Dismiss"));
      item.querySelector(".alert-dismiss").addEventListener("click", () => item.remove());
      byId("alerts").append(item);
    },

    clearErrors() {
      clear(byId("alerts"));
    },
  };

  // ---------------------------------------------------------------- API client

  class ApiError extends Error {
    constructor(message, { code = "", status = 0, path = "" } = {}) {
      super(message);
      this.code = code;
      this.status = status;
      this.path = path;
    }
  }

  const api = (() => {
    // The bearer token lives in this closure only: never in storage, cookies
    // or the URL, so it is gone when the tab closes.
    let token = null;
    let pendingPrompt = null;

    async function request(path, { method = "GET", body, as = "json" } = {}) {
      for (;;) {
        const usedToken = token;
        const headers = { "Accept": as === "json" ? "application/json" : "text/plain, */*" };
        if (body !== undefined) headers["Content-Type"] = "application/json";
        if (usedToken) headers["Authorization"] = `Bearer ${usedToken}`;
        let response;
        try {
          response = await fetch(path, {
            method, headers, cache: "no-store", credentials: "same-origin",
            body: body === undefined ? undefined : JSON.stringify(body),
          });
        } catch (e) {
          throw new ApiError(`the haplomatch service did not answer ${method} ${path} (network error: ${e.message}). Is the server still running?`,
            { code: "network", path });
        }
        if (response.status === 401) {
          // Another request may have obtained a token meanwhile: retry with it.
          if (token !== usedToken) continue;
          const given = await askForToken(usedToken !== null);
          if (given === null) {
            throw new ApiError("the service needs an access token, and none was given", { code: "unauthenticated", status: 401, path });
          }
          token = given;
          continue;
        }
        if (!response.ok) throw await errorFrom(response, method, path);
        if (as === "text") return response.text();
        try {
          return await response.json();
        } catch (e) {
          throw new ApiError(`the answer to ${method} ${path} is not valid JSON`, { code: "bad_response", status: response.status, path });
        }
      }
    }

    /** The server's {"error":{"code","message"}}, or the HTTP status in words. */
    async function errorFrom(response, method, path) {
      let code = "";
      let message = "";
      try {
        const doc = await response.json();
        if (doc && doc.error) {
          code = String(doc.error.code || "");
          message = String(doc.error.message || "");
        }
      } catch (e) {
        // not JSON: fall back to the status line below
      }
      if (!message) message = `${method} ${path} failed: HTTP ${response.status} ${response.statusText}`.trim();
      return new ApiError(message, { code, status: response.status, path });
    }

    /**
     * Shows the token dialog; resolves with the token, or null when cancelled.
     * Concurrent 401s share one dialog.
     */
    function askForToken(previousRejected) {
      if (pendingPrompt) return pendingPrompt;
      pendingPrompt = new Promise((resolve) => {
        const dialog = byId("token-dialog");
        const input = byId("token-input");
        const errorLine = byId("token-error");
        const listeners = new AbortController();
        const opts = { signal: listeners.signal };
        const finish = (value) => {
          listeners.abort();
          if (dialog.open) dialog.close();
          input.value = "";
          pendingPrompt = null;
          resolve(value);
        };
        errorLine.textContent = previousRejected ? "The service did not accept that token. Check it and try again." : "";
        input.value = "";
        input.removeAttribute("aria-invalid");
        byId("token-form").addEventListener("submit", (event) => {
          event.preventDefault();
          const value = input.value.trim();
          if (!value) {
            errorLine.textContent = "Enter the token, or press Cancel.";
            input.setAttribute("aria-invalid", "true");
            input.focus();
            return;
          }
          finish(value);
        }, opts);
        byId("token-cancel").addEventListener("click", () => finish(null), opts);
        dialog.addEventListener("cancel", () => finish(null), opts); // Escape
        dialog.showModal();
        input.focus();
      });
      return pendingPrompt;
    }

    return {
      get: (path) => request(path),
      getText: (path) => request(path, { as: "text" }),
      post: (path, body) => request(path, { method: "POST", body }),
    };
  })();

  // ---------------------------------------------------------------- patient typing

  const typing = {
    mode: "gl",
    timer: 0,
    seq: 0,

    inputs() {
      return Array.from(byId("typing-loci-wrap").querySelectorAll("input[data-locus]"));
    },

    /**
     * The GL String to send, and how to map an offset in it back to the box
     * the user typed in (boxes are trimmed, so leading blanks are added back).
     */
    current() {
      if (this.mode === "gl") {
        const box = byId("patient-typing");
        const raw = box.value;
        const lead = raw.length - raw.trimStart().length;
        return {
          text: raw.trim(),
          locate: (offset) => ({ input: box, raw, offset: lead + offset, label: "" }),
        };
      }
      const parts = [];
      let pos = 0;
      for (const input of this.inputs()) {
        const raw = input.value;
        const trimmed = raw.trim();
        if (!trimmed) continue;
        parts.push({ input, raw, lead: raw.length - raw.trimStart().length, start: pos, length: trimmed.length, trimmed });
        pos += trimmed.length + 1; // the "^" joining the boxes
      }
      return {
        text: parts.map((p) => p.trimmed).join("^"),
        locate: (offset) => {
          // An offset on a joining "^" belongs to the end of the box before it.
          const part = parts.find((p) => offset <= p.start + p.length) || parts[parts.length - 1];
          if (!part) return null;
          const label = part.input.dataset.locus ? `HLA-${part.input.dataset.locus}` : "other loci";
          return { input: part.input, raw: part.raw, offset: part.lead + Math.max(0, offset - part.start), label };
        },
      };
    },

    /** Sets the typing from a GL String (the example, a family file's patient). */
    set(glString) {
      if (this.mode === "loci" && !this.splitIntoBoxes(glString)) {
        this.setMode("gl");
        const note = byId("typing-mode-note");
        note.textContent = "This typing is phased (it has ~), and boxes per locus cannot keep the phase: it is shown in one box.";
        note.hidden = false;
      }
      byId("patient-typing").value = glString;
      this.scheduleCheck(0);
    },

    /**
     * Fills the per-locus boxes from a GL String. Refuses (returns false) a
     * phased typing: "~" links loci, and boxes per locus would drop the phase.
     */
    splitIntoBoxes(glString) {
      const text = glString.trim();
      if (text.includes("~")) return false;
      const boxes = new Map(this.inputs().map((i) => [i.dataset.locus, i]));
      const values = new Map();
      const other = [];
      for (const part of text ? text.split("^") : []) {
        const m = /^\s*(?:HLA-)?([A-Za-z0-9]+)\*/.exec(part);
        const locus = m ? m[1].toUpperCase() : "";
        if (locus && LOCI.includes(locus) && !values.has(locus)) values.set(locus, part.trim());
        else other.push(part.trim());
      }
      for (const [locus, box] of boxes) box.value = locus ? (values.get(locus) || "") : other.join("^");
      return true;
    },

    setMode(mode) {
      const note = byId("typing-mode-note");
      note.hidden = true;
      if (mode === "loci" && this.mode === "gl") {
        if (!this.splitIntoBoxes(byId("patient-typing").value)) {
          note.textContent = "This typing is phased (it has ~), and boxes per locus cannot keep the phase: it stays in one box.";
          note.hidden = false;
          byId("typing-mode-gl").checked = true;
          return;
        }
      } else if (mode === "gl" && this.mode === "loci") {
        byId("patient-typing").value = this.current().text;
      }
      this.mode = mode;
      byId(mode === "gl" ? "typing-mode-gl" : "typing-mode-loci").checked = true;
      byId("typing-gl-wrap").hidden = mode !== "gl";
      byId("typing-loci-wrap").hidden = mode !== "loci";
      this.scheduleCheck(0);
    },

    /** Debounced: the check runs once the user pauses typing. */
    scheduleCheck(delay = VALIDATE_DELAY_MS) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.check(), delay);
    },

    async check() {
      const seq = ++this.seq; // answers to older checks are dropped
      const { text, locate } = this.current();
      const feedback = byId("typing-feedback");
      this.clearInvalid();
      if (!text) {
        clear(feedback);
        return;
      }
      clear(feedback).append(el("p", { class: "checking", text: "Checking the typing…" }));
      let result;
      try {
        const doc = await api.post("/v1/validate", { typings: [text] });
        result = doc && Array.isArray(doc.results) ? doc.results[0] : null;
        if (!result) throw new ApiError("the validate answer has no result");
      } catch (err) {
        if (seq !== this.seq) return;
        clear(feedback).append(el("p", { class: "error-text", text: `Could not check the typing: ${err.message}` }));
        messages.error("Checking the typing", err);
        return;
      }
      if (seq !== this.seq) return;
      this.showResult(result, text, locate);
    },

    clearInvalid() {
      for (const input of [byId("patient-typing"), ...this.inputs()]) input.removeAttribute("aria-invalid");
    },

    showResult(result, text, locate) {
      const feedback = clear(byId("typing-feedback"));
      if (result.valid) {
        const release = state.version && state.version.imgt_version ? ` (IPD-IMGT/HLA ${state.version.imgt_version})` : "";
        feedback.append(el("p", { class: "ok-text" }, el("span", { "aria-hidden": "true", text: "✓ " }), `Valid typing${release}.`));
        const warnings = Array.isArray(result.warnings) ? result.warnings : [];
        if (warnings.length) {
          feedback.append(el("ul", { class: "warning-list", "aria-label": "Warnings about the typing" },
            warnings.map((w) => el("li", { text: String(w) }))));
        }
        return;
      }
      const message = String(result.error || "not a valid typing");
      const offset = errorOffset(result);
      const where = offset === null ? null : locate(offset);
      if (where) where.input.setAttribute("aria-invalid", "true");
      else (this.mode === "gl" ? byId("patient-typing") : this.inputs()[0]).setAttribute("aria-invalid", "true");
      feedback.append(el("p", { class: "error-text typing-error" },
        el("span", { "aria-hidden": "true", text: "✗ " }), "Not a valid typing: ", el("span", { class: "typing-error-message", text: message })));
      if (where) feedback.append(echoWithMark(where, offset));
    },
  };

  /** The server's offset, or (older servers) the "at offset N" in its message. */
  function errorOffset(result) {
    if (Number.isInteger(result.offset) && result.offset >= 0) return result.offset;
    const m = /at offset (\d+)/.exec(String(result.error || ""));
    return m ? Number(m[1]) : null;
  }

  /**
   * A copy of the typed text with the error's place marked: the rest of the
   * token from the offset is underlined (wavy) and followed by a text marker,
   * so the place is not shown by colour alone.
   */
  function echoWithMark(where, serverOffset) {
    const { raw, offset, label } = where;
    const at = Math.min(Math.max(offset, 0), raw.length);
    let end = at;
    const isBreak = (c) => /[\s+^~/|]/.test(c);
    if (at < raw.length && isBreak(raw[at])) end = at + 1;
    else while (end < raw.length && !isBreak(raw[end])) end++;
    const mark = el("mark", { class: at === raw.length ? "error-at at-end" : "error-at", data: { offset: at } }, raw.slice(at, end));
    const flagText = label ? `▲ offset ${at} in the ${label} box (offset ${serverOffset} of the joined GL String)` : `▲ offset ${at}`;
    return el("div", { class: "typing-echo-wrap" },
      el("p", { class: "visually-hidden", text: `The error is at character ${at + 1}${label ? ` of the ${label} box` : ""}:` }),
      el("div", { class: "typing-echo", "aria-hidden": "true" },
        el("span", { class: "echo-before", text: raw.slice(0, at) }),
        mark,
        el("span", { class: "offset-flag", text: flagText }),
        el("span", { class: "echo-after", text: raw.slice(end) })));
  }

  // ---------------------------------------------------------------- patient form

  /** Normalises the ways donor files spell sex, ABO and CMV to the select values. */
  const normalise = {
    sex(value) {
      const v = String(value || "").trim().toLowerCase();
      if (["m", "male", "man"].includes(v)) return "male";
      if (["f", "female", "w", "woman"].includes(v)) return "female";
      return "unknown";
    },
    cmv(value) {
      const v = String(value || "").trim().toLowerCase();
      if (["pos", "positive", "+", "1", "yes", "reactive"].includes(v)) return "positive";
      if (["neg", "negative", "-", "0", "no", "non-reactive"].includes(v)) return "negative";
      return "unknown";
    },
    abo(value) {
      let v = String(value || "").trim().toUpperCase().replace(/\s+/g, " ");
      v = v.replace(/^0/, "O").replace(/\s*(RHD?)?\s*(\+|POS)$/, "+").replace(/\s*(RHD?)?\s*(-|NEG)$/, "-");
      return /^(O|A|B|AB)[+-]$/.test(v) ? v : "";
    },
  };

  const patientForm = {
    /** Fills the form from a family file's patient row. */
    fillFrom(row) {
      typing.set(String(row.typing || ""));
      byId("patient-abo").value = normalise.abo(row.abo);
      byId("patient-cmv").value = normalise.cmv(row.cmv);
      byId("patient-sex").value = normalise.sex(row.sex);
    },

    /** The recipient object of a match request, and what is missing. */
    read() {
      const problems = [];
      const recipient = {};
      const { text } = typing.current();
      if (!text) problems.push({ field: typing.mode === "gl" ? "patient-typing" : "locus-A", text: "enter the patient's HLA typing" });
      recipient.typing = text;
      const abo = byId("patient-abo").value;
      if (abo) recipient.abo = abo;
      recipient.cmv = byId("patient-cmv").value;
      recipient.sex = byId("patient-sex").value;
      // Present = tested; "none" = tested, negative; absent = not tested.
      if (byId("antibodies-none").checked) recipient.antibodies = "none";
      else if (byId("patient-antibodies").value.trim()) recipient.antibodies = byId("patient-antibodies").value;

      const options = { protocol: byId("protocol").value };
      const asOf = byId("as-of").value;
      if (asOf) options.as_of = asOf;
      else problems.push({ field: "as-of", text: "choose the as-of date (ages are computed at it)" });
      const mfi = byId("dsa-mfi").value.trim();
      if (mfi === "" || !Number.isFinite(Number(mfi)) || Number(mfi) < 0) {
        problems.push({ field: "dsa-mfi", text: "the DSA MFI threshold must be a number, 0 or more" });
      } else {
        options.dsa_mfi = Number(mfi);
      }
      return { recipient, options, problems };
    },

    /** Keeps the antibody box and the "none" checkbox from contradicting each other. */
    syncAntibodies() {
      const none = byId("antibodies-none").checked;
      byId("patient-antibodies").disabled = none;
    },
  };

  // ---------------------------------------------------------------- donors

  const donors = {
    /** Reads file text through the server, which parses it as the CLI does. */
    async readText(text, origin) {
      if (!text.trim()) {
        messages.error("Reading the donors", new Error("the file is empty"));
        return false;
      }
      messages.status(`Reading ${origin}…`);
      let doc;
      try {
        doc = await api.post("/v1/donor-file", { text, format: byId("donor-format").value });
      } catch (err) {
        messages.error(`Reading ${origin}`, err);
        messages.status(`Could not read ${origin}.`);
        return false;
      }
      const rows = Array.isArray(doc.rows) ? doc.rows.map(rowEntry) : [];
      state.rows = rows.map((entry) => ({ key: state.nextKey++, ...entry }));
      state.isFamily = doc.family === true;
      state.fileReport = { origin, format: doc.format, family: state.isFamily, rejected: doc.rejected || [], warnings: doc.warnings || [] };
      this.render();
      results.markStale();
      const rejected = state.fileReport.rejected.length;
      messages.status(`Read ${plural(rows.length, "row", "rows")} from ${origin}${rejected ? `; ${plural(rejected, "row", "rows")} rejected` : ""}.`);
      return true;
    },

    patientRow() {
      const entry = state.rows.find((e) => String(e.row.role || "").toLowerCase() === "patient");
      return entry ? entry.row : null;
    },

    render() {
      this.renderReport();
      this.renderTable();
      this.checkPatientTyping();
    },

    renderReport() {
      const box = clear(byId("donor-file-report"));
      const report = state.fileReport;
      if (!report) return;
      const kind = report.family ? "family file" : "donor file";
      box.append(el("p", { class: "file-summary" },
        `${capitalise(report.origin)}: read as a ${String(report.format || "").toUpperCase()} ${kind}; `,
        `${plural(state.rows.length, "row", "rows")} kept, ${plural(report.rejected.length, "row", "rows")} rejected.`));
      if (report.rejected.length) box.append(rejectedTable(report.rejected, "Rows rejected by the reader"));
      if (report.warnings.length) {
        box.append(el("ul", { class: "warning-list", "aria-label": "Warnings from the reader" },
          report.warnings.map((w) => el("li", { text: String(w) }))));
      }
    },

    renderTable() {
      const body = clear(byId("donor-rows"));
      byId("donor-count").textContent = String(state.rows.length);
      if (!state.rows.length) {
        body.append(el("tr", {}, el("td", { colspan: "9", class: "empty", text: "No rows yet: upload or paste a file, load the example family, or add a relative." })));
        return;
      }
      for (const { key, row, source, warnings } of state.rows) {
        const isPatient = String(row.role || "").toLowerCase() === "patient";
        const ageCell = row.birth_date ? `born ${row.birth_date}` : (row.age !== null && row.age !== undefined && row.age !== "" ? `age ${row.age}` : "—");
        const remove = el("button", { type: "button", class: "button button-small button-quiet", "aria-label": `Remove ${row.id}`, data: { key } }, "Remove");
        remove.addEventListener("click", () => this.remove(key));
        body.append(el("tr", { class: isPatient ? "row-patient" : null },
          el("th", { scope: "row" }, show(row.id), isPatient ? el("span", { class: "tag", text: "recipient" }) : null),
          el("td", { text: show(row.role) }),
          el("td", { text: show(row.relationship) }),
          el("td", { class: "nowrap", text: ageCell }),
          el("td", { text: show(row.sex) }),
          el("td", { text: show(row.abo) }),
          el("td", { text: show(row.cmv) }),
          el("td", {}, row.typing ? el("code", { class: "typing", text: row.typing }) : "untyped"),
          el("td", {}, remove)));
        if (warnings && warnings.length) {
          body.append(el("tr", { class: "row-warnings" }, el("td", { colspan: "9" },
            el("ul", { class: "warning-list", "aria-label": `Warnings about ${row.id}` },
              warnings.map((w) => el("li", { text: `${source ? `${source}: ` : ""}${w}` }))))));
        }
      }
    },

    remove(key) {
      const index = state.rows.findIndex((e) => e.key === key);
      if (index < 0) return;
      const [removed] = state.rows.splice(index, 1);
      this.renderTable();
      this.checkPatientTyping();
      results.markStale();
      messages.status(`Removed ${removed.row.id}.`);
      // Keep the keyboard user in the table: focus the next row's button.
      const buttons = byId("donor-rows").querySelectorAll("button");
      const next = buttons[Math.min(index, buttons.length - 1)];
      (next || byId("donor-file")).focus();
    },

    /**
     * Family segregation is used only when the recipient is typed exactly as
     * the family's patient; say so when the form and the file differ.
     */
    checkPatientTyping() {
      const box = clear(byId("patient-mismatch"));
      const patient = state.isFamily ? this.patientRow() : null;
      const formTyping = typing.current().text;
      box.hidden = true;
      if (!patient || !patient.typing || !formTyping || formTyping === String(patient.typing).trim()) return;
      const use = el("button", { type: "button", class: "button button-small button-secondary" }, "Use the file's patient");
      use.addEventListener("click", () => {
        patientForm.fillFrom(patient);
        this.checkPatientTyping();
        results.markStale();
      });
      box.append(el("p", {},
        `The patient's typing in the form differs from the family file's patient (${show(patient.id)}). `,
        "The family's segregation proof is used only for a recipient typed exactly as its patient. "), use);
      box.hidden = false;
    },

    /** "Add a relative": checks the row (typing through the server), then adds it. */
    async addFromForm() {
      const feedback = byId("add-feedback");
      feedback.textContent = "";
      feedback.className = "form-feedback";
      const id = byId("add-id").value.trim();
      const typingText = byId("add-typing").value.trim();
      const ageText = byId("add-age").value.trim();
      const fail = (field, text) => {
        feedback.textContent = text;
        feedback.classList.add("error-text");
        byId(field).setAttribute("aria-invalid", "true");
        byId(field).focus();
      };
      for (const f of ["add-id", "add-typing", "add-age"]) byId(f).removeAttribute("aria-invalid");
      if (!id) return fail("add-id", "Enter an ID for the relative.");
      if (state.rows.some((e) => e.row.id === id)) return fail("add-id", `The ID ${id} is already used by another row.`);
      if (ageText && !/^\d{1,3}$/.test(ageText)) return fail("add-age", "The age must be a whole number of years.");
      if (!typingText) return fail("add-typing", "Enter the relative's typing.");
      feedback.textContent = "Checking the typing…";
      let result;
      try {
        const doc = await api.post("/v1/validate", { typings: [typingText] });
        result = doc.results[0];
      } catch (err) {
        feedback.textContent = "";
        messages.error("Checking the relative's typing", err);
        return;
      }
      if (!result.valid) return fail("add-typing", `Not a valid typing: ${result.error}`);
      const kind = RELATIVE_KINDS[byId("add-relationship").value];
      const row = {
        id,
        family_id: "",
        role: state.isFamily ? kind.role : "",
        relationship: kind.relationship,
        birth_date: byId("add-birth-date").value || null,
        age: ageText ? Number(ageText) : null,
        sex: byId("add-sex").value || "unknown",
        abo: byId("add-abo").value || null,
        cmv: byId("add-cmv").value || "unknown",
        kir: byId("add-kir").value.trim() || null,
        typing: typingText,
        other_parent: "",
      };
      state.rows.push({ key: state.nextKey++, row, source: "added on this page", warnings: [] });
      this.renderTable();
      results.markStale();
      byId("add-form").reset();
      feedback.textContent = `Added ${id}.`;
      messages.status(`Added ${id}.`);
      byId("add-id").focus();
    },

    /** The rows as the server gave them (the page's own key stays behind). */
    payload() {
      return state.rows.map((e) => e.row);
    },
  };

  function donorColumns(row) {
    const out = {};
    for (const key of DONOR_COLUMNS) if (key in row) out[key] = row[key];
    return out;
  }

  /**
   * One row of a /v1/donor-file answer: {"source","row":{columns},"warnings"}.
   * Only the columns go back to the server; the source and the reader's
   * warnings stay on the page.
   */
  function rowEntry(item) {
    if (item && typeof item.row === "object" && item.row !== null) {
      return { row: item.row, source: item.source || "", warnings: Array.isArray(item.warnings) ? item.warnings : [] };
    }
    const { source, ...row } = item || {}; // an answer with the columns at the top level
    return { row, source: source || "", warnings: [] };
  }

  function rejectedTable(rejected, caption) {
    return el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": caption },
      el("table", { class: "data-table rejected-table" },
        el("caption", { text: caption }),
        el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Where" }), el("th", { scope: "col", text: "Error" }))),
        el("tbody", {}, rejected.map((r) => el("tr", {},
          el("th", { scope: "row", text: show(r.source) }),
          el("td", { text: show(r.error) }))))));
  }

  // ---------------------------------------------------------------- analysis

  const analysis = {
    /** One check: match, rank and (for a family) the segregation, in parallel. */
    async run() {
      if (state.running) return;
      messages.clearErrors();
      const input = patientForm.read();
      if (!state.rows.length) input.problems.push({ field: "donor-file", text: "add donors: upload or paste a file, or add a relative" });
      if (input.problems.length) {
        for (const p of input.problems) messages.error("Before checking", new Error(p.text));
        messages.status(`Cannot check yet: ${input.problems.map((p) => p.text).join("; ")}.`);
        byId(input.problems[0].field).focus();
        return;
      }
      const rows = donors.payload();
      const body = { recipient: input.recipient, options: input.options };
      if (state.isFamily) body.family = rows;
      else body.donors = rows.map(donorColumns);
      const rankBody = { ...body, options: { ...input.options, top: RANK_TOP } };

      state.running = true;
      results.begin();
      messages.status("Checking the donors…");
      const [match, rank, family] = await Promise.allSettled([
        api.post("/v1/match", body),
        api.post("/v1/rank", rankBody),
        state.isFamily ? api.post("/v1/family", { family: rows }) : Promise.resolve(null),
      ]);
      state.running = false;
      if (match.status === "rejected") messages.error("Matching the donors", match.reason);
      if (rank.status === "rejected") messages.error("Ranking the donors", rank.reason);
      if (family.status === "rejected") messages.error("Segregating the family", family.reason);

      state.results = {
        at: new Date(),
        inputs: { recipient: input.recipient, options: input.options, family: state.isFamily, rows },
        match: match.status === "fulfilled" ? match.value : null,
        rank: rank.status === "fulfilled" ? rank.value : null,
        family: family.status === "fulfilled" ? family.value : null,
      };
      state.runCount++;
      results.render();
      pedigree.render(state.results.family);
      messages.status(results.summarySentence());
    },
  };

  // ---------------------------------------------------------------- results

  const results = {
    begin() {
      const section = byId("results");
      section.setAttribute("aria-busy", "true");
      section.dataset.state = "running";
      // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
      byId("check-donors").setAttribute("aria-disabled", "true");
      for (const id of ["report-meta", "summary", "donor-results", "rejected-results", "family-view"]) clear(byId(id));
      byId("family-empty").hidden = false;
      byId("family-empty").textContent = "Checking the donors…";
      byId("results-stale").hidden = true;
      byId("results-empty").hidden = false;
      byId("results-empty").textContent = "Checking the donors…";
      this.setExportEnabled(false);
    },

    setExportEnabled(on) {
      for (const id of ["print-report", "download-json", "download-csv"]) byId(id).disabled = !on;
    },

    /** Results describe the inputs they came from: flag them once the inputs change. */
    markStale() {
      if (!state.results || !state.results.match || state.running) return;
      const notice = clear(byId("results-stale"));
      const time = localDateTime(state.results.at);
      notice.append(el("p", {},
        el("strong", { text: "The inputs have changed " }),
        `since these results were computed (${time}). Press Check donors to bring them up to date.`));
      notice.hidden = false;
      byId("results").dataset.stale = "true";
    },

    render() {
      const section = byId("results");
      const { match, rank } = state.results;
      section.removeAttribute("aria-busy");
      section.dataset.state = match ? "done" : "failed";
      section.dataset.run = String(state.runCount);
      delete section.dataset.stale;
      byId("check-donors").removeAttribute("aria-disabled");
      byId("results-empty").hidden = !!match;
      byId("results-empty").textContent = match ? "" : "No results: the check failed (see the error above).";
      this.renderMeta();
      if (!match) return;
      this.renderSummary(rank, match);
      const list = clear(byId("donor-results"));
      const ordered = orderDonors(match, rank);
      if (!rank) list.append(el("p", { class: "notice notice-warn", text: "The ranking failed, so the donors are listed in the order of the input (see the error above)." }));
      // Two groups: the donors rank orders (best first), then the rest.
      const groups = rank
        ? [
          { title: "Ranked donors", hint: "eligible first, then those needing review; best first", entries: ordered.filter((e) => e.rank) },
          { title: "Not ranked", hint: "excluded by the protocol, in the order of the input", entries: ordered.filter((e) => !e.rank) },
        ]
        : [{ title: "Donors", hint: "in the order of the input", entries: ordered }];
      for (const g of groups) {
        if (!g.entries.length) continue;
        list.append(el("section", { class: "donor-group", "aria-label": g.title },
          el("h3", { class: "donor-group-title" }, g.title, " ", el("span", { class: "donor-group-hint", text: `(${g.entries.length}; ${g.hint})` })),
          g.entries.map((entry) => donorCard(entry, match))));
      }
      this.renderRejected(match);
      this.setExportEnabled(true);
    },

    /** The report's header: what a printed page must say about how it was made. */
    renderMeta() {
      const { match, rank, inputs, at } = state.results;
      const doc = match || rank || {};
      const recipient = inputs.recipient;
      const antibodies = recipient.antibodies === undefined ? "not tested"
        : recipient.antibodies === "none" ? "tested, none" : recipient.antibodies.trim().replace(/\s*\n\s*/g, "; ");
      const items = [
        ["Report date", localDateTime(at)],
        ["IPD-IMGT/HLA release", doc.imgt_version || (state.version && state.version.imgt_version) || "unknown"],
        ["Protocol", doc.protocol || inputs.options.protocol],
        ["As of", doc.as_of || inputs.options.as_of],
        ["DSA MFI threshold", show(doc.dsa_mfi_threshold !== undefined ? doc.dsa_mfi_threshold : inputs.options.dsa_mfi)],
        ["Patient ABO / CMV / sex", `${recipient.abo || "unknown"} / ${recipient.cmv} / ${recipient.sex}`],
        ["Patient typing", recipient.typing],
        ["Antibodies", antibodies],
      ];
      if (state.version && state.version.version) items.splice(2, 0, ["haplomatch version", state.version.version]);
      clear(byId("report-meta")).append(el("dl", { class: "meta-list" },
        items.map(([k, v]) => {
          const long = k === "Patient typing" || k === "Antibodies";
          return el("div", { class: long ? "meta-item meta-item-wide" : "meta-item" },
            el("dt", { text: k }), el("dd", {}, k === "Patient typing" ? el("code", { class: "typing", text: v }) : String(v)));
        })));
    },

    renderSummary(rank, match) {
      const box = clear(byId("summary"));
      const counts = rank
        ? [["read", rank.read], ["ranked", rank.ranked], ["eligible", rank.eligible], ["needs review", rank.needs_review], ["excluded", rank.excluded], ["rejected", rank.rejected]]
        : [["read", match.donors.length + (match.rejected || []).length], ["rejected", (match.rejected || []).length]];
      box.append(el("h3", { class: "visually-hidden", text: "Summary" }),
        el("dl", { class: "counts" }, counts.map(([k, v]) =>
          el("div", { class: `count count-${k.replace(/\s+/g, "-")}` }, el("dt", { text: k }), el("dd", { text: show(v) })))));
    },

    renderRejected(match) {
      const box = clear(byId("rejected-results"));
      const fromMatch = Array.isArray(match.rejected) ? match.rejected : [];
      const fromFile = state.fileReport ? state.fileReport.rejected : [];
      if (!fromMatch.length && !fromFile.length) return;
      box.append(el("h3", { text: "Rejected donors" }));
      if (fromMatch.length) box.append(rejectedTable(fromMatch, "Rejected by the match"));
      if (fromFile.length) box.append(rejectedTable(fromFile, "Rejected when the file was read (not checked)"));
    },

    summarySentence() {
      const { match, rank } = state.results;
      if (!match) return "The check failed: see the errors.";
      const n = match.donors.length;
      if (!rank) return `Checked ${plural(n, "donor", "donors")}; the ranking failed.`;
      const part = (v, words) => (v === null || v === undefined ? null : `${v} ${words}`);
      const bits = [part(rank.eligible, "eligible"), part(rank.needs_review, "need review"), part(rank.excluded, "excluded"), part(rank.rejected, "rejected")].filter(Boolean);
      return `Checked ${plural(n, "donor", "donors")}: ${bits.join(", ")}.`;
    },
  };

  /**
   * Rank's order for the donors it ranks (eligible, then needs review), then
   * every other donor of the match document in input order.
   */
  function orderDonors(match, rank) {
    const matchById = new Map(match.donors.map((d) => [d.id, d]));
    const ordered = [];
    const seen = new Set();
    if (rank && Array.isArray(rank.donors)) {
      for (const r of rank.donors) {
        ordered.push({ donor: matchById.get(r.id) || null, rank: r });
        seen.add(r.id);
      }
    }
    for (const d of match.donors) if (!seen.has(d.id)) ordered.push({ donor: d, rank: null });
    return ordered;
  }

  /** The badge of a match donor; "eligible" needs both fields to agree. */
  function statusOf(donor) {
    const e = donor && donor.eligibility ? donor.eligibility : {};
    if (e.status === "eligible" && e.eligible !== true) {
      return { ...STATUS["needs-review"], note: "The server's answer is contradictory (status eligible, eligible false): review it." };
    }
    if (STATUS[e.status]) return STATUS[e.status];
    return { ...STATUS["needs-review"], note: `Unknown status "${show(e.status)}": review it.` };
  }

  function badge(status) {
    return el("span", { class: `badge badge-${status.cls}` },
      el("span", { class: "badge-icon", "aria-hidden": "true", text: status.icon }),
      el("span", { class: "badge-label", text: status.label }));
  }

  function totalsLine(total) {
    if (!total) return "no totals";
    return `${total.matches}/${total.out_of} allele matches; GvH ${total.gvh_mismatches}, HvG ${total.hvg_mismatches}`;
  }

  function relationshipText(donor) {
    const rel = donor.relationship || "relationship unknown";
    const given = donor.relationship_as_given;
    return given && given !== rel ? `${rel} (${given})` : rel;
  }

  function ageText(donor) {
    if (donor.age === null || donor.age === undefined) return "age unknown";
    return donor.birth_date ? `${donor.age} years (born ${donor.birth_date})` : `${donor.age} years`;
  }

  function donorCard({ donor, rank }, match) {
    if (!donor) {
      // rank listed an id the match document lacks: say so instead of guessing.
      return el("article", { class: "donor donor-review", data: { donorId: rank.id } },
        el("h4", { text: `${rank.id}` }),
        el("p", { class: "error-text", text: `The ranking lists ${rank.id}, but the match document has no such donor: this donor cannot be shown.` }));
    }
    const status = statusOf(donor);
    const e = donor.eligibility || {};
    const card = el("article", { class: `donor donor-${status.cls}`, data: { donorId: donor.id, status: e.status || "" }, "aria-labelledby": `donor-h-${cssId(donor.id)}` });

    const rankLabel = rank ? `#${rank.rank}` : "not ranked";
    card.append(el("header", { class: "donor-head" },
      el("div", { class: "donor-title" },
        el("span", { class: rank ? "rank" : "rank rank-none", text: rankLabel }),
        el("h4", { id: `donor-h-${cssId(donor.id)}`, class: "donor-id", text: donor.id })),
      badge(status)));
    card.append(el("p", { class: "donor-facts" },
      [relationshipText(donor), ageText(donor), !donor.sex || donor.sex === "unknown" ? "sex unknown" : donor.sex, `ABO ${show(donor.abo)}`, `CMV ${show(donor.cmv)}`].join(" · ")));
    if (status.note) card.append(el("p", { class: "error-text", text: status.note }));
    if (rank && rank.status && rank.status !== e.status) {
      card.append(el("p", { class: "error-text", text: `The ranking gives this donor the status ${rank.status}, the match ${show(e.status)}: review it.` }));
    }

    card.append(reasonGroups(donor));
    card.append(keyFacts(donor));
    card.append(dsaBlock(donor.id, e, match));
    card.append(gridBlock(donor));
    return card;
  }

  function cssId(id) {
    return String(id).replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
  }

  /** The reasons verbatim, grouped as the server groups them. */
  function reasonGroups(donor) {
    const e = donor.eligibility || {};
    const wrap = el("div", { class: "reasons" });
    const shown = new Set();
    for (const { key, title } of REASON_GROUPS) {
      const list = Array.isArray(e[key]) ? e[key] : [];
      list.forEach((s) => shown.add(s));
      if (!list.length) continue;
      wrap.append(el("section", { class: `reason-group reason-${key.replace("_", "-")}`, data: { group: key } },
        el("h5", { text: title }),
        el("ul", {}, list.map((s) => el("li", { text: String(s) })))));
    }
    // A reason outside the four groups must still be seen.
    const others = (Array.isArray(e.reasons) ? e.reasons : []).filter((s) => !shown.has(s));
    if (others.length) {
      wrap.append(el("section", { class: "reason-group reason-other", data: { group: "other" } },
        el("h5", { text: "Other reasons" }), el("ul", {}, others.map((s) => el("li", { text: String(s) })))));
    }
    const warnings = Array.isArray(donor.warnings) ? donor.warnings : [];
    if (warnings.length) {
      wrap.append(el("section", { class: "reason-group reason-warnings", data: { group: "warnings" } },
        el("h5", { text: "Warnings" }), el("ul", {}, warnings.map((s) => el("li", { text: String(s) })))));
    }
    if (!wrap.childElementCount) wrap.append(el("p", { class: "muted", text: "The server gave no reasons for this donor." }));
    return wrap;
  }

  function keyFacts(donor) {
    const haplo = donor.haplo || {};
    const tce = donor.dpb1_tce;
    const tceText = tce
      ? `${tce.category}${tce.recipient_group > 0 && tce.donor_group > 0 ? ` (TCE groups: recipient ${tce.recipient_group}, donor ${tce.donor_group})` : ""}: ${show(tce.basis)}`
      : "not scored";
    const dl = el("dl", { class: "facts" },
      el("div", { class: "fact" }, el("dt", { text: "HLA" }), el("dd", { class: "totals", text: totalsLine(donor.total) })),
      el("div", { class: "fact" }, el("dt", { text: "Haplo" }), el("dd", {},
        el("strong", { text: show(haplo.verdict) }), haplo.basis ? `: ${haplo.basis}` : "")),
      el("div", { class: "fact" }, el("dt", { text: "DPB1 TCE" }), el("dd", { text: tceText })),
      el("div", { class: "fact" }, el("dt", { text: "HLA-B leader" }), leaderFact(donor.b_leader)),
      el("div", { class: "fact" }, el("dt", { text: "KIR" }), kirFact(donor.kir_ligands, donor.donor_kir)));
    // Match probability: shown when a typing leaves the match open.
    const prob = donor.probability;
    if (prob && (prob.ambiguous || !prob.available)) {
      dl.append(el("div", { class: "fact" }, el("dt", { text: "Probability" }), probabilityFact(prob)));
    }
    const inconsistencies = Array.isArray(haplo.inconsistencies) ? haplo.inconsistencies : [];
    if (inconsistencies.length) {
      dl.append(el("div", { class: "fact" }, el("dt", { text: "Inconsistent" }),
        el("dd", {}, el("ul", {}, inconsistencies.map((s) => el("li", { text: String(s) }))))));
    }
    return dl;
  }

  /** The server's match probabilities, as percentages, and their basis. */
  function probabilityFact(p) {
    const pct = (v) => `${Math.round(v * 1000) / 10}%`;
    if (!p.available) return el("dd", { text: show(p.basis) });
    const parts = [`10/10 ${pct(p.p10)}`, `≥ 9/10 ${pct(p.p9_or_more)}`, `≥ 8/10 ${pct(p.p8_or_more)}`];
    if (p.p_haplotype !== null && p.p_haplotype !== undefined) parts.push(`carries a patient haplotype ${pct(p.p_haplotype)}`);
    return el("dd", {}, el("strong", { text: parts.join(" · ") }), ` (${show(p.basis)})`);
  }

  const LEADER_WORDS = {
    not_assessed: "not assessed",
    hla_b_matched: "HLA-B matched",
    leader_matched: "leader-matched",
    leader_mismatched: "leader-mismatched",
    unknown: "leader match unknown",
    hla_b_double_mismatch: "HLA-B double mismatch",
  };

  /** The server's leader result, in words: the status and its basis. */
  function leaderFact(b) {
    if (!b) return el("dd", { text: "not scored" });
    const genotypes = b.recipient && b.donor ? ` (recipient ${b.recipient.genotype}, donor ${b.donor.genotype})` : "";
    const status = b.status ? ` ${b.status}${b.likely_status ? `, likely ${b.likely_status}` : ""}` : "";
    return el("dd", {}, el("strong", { text: `${LEADER_WORDS[b.match] || show(b.match)}${status}` }),
      `${genotypes}: ${show(b.basis)}`);
  }

  /** The ligand groups a side carries: "C1 C2 (possible)"; absent ones left out. */
  function ligandList(side) {
    if (!side) return "unknown";
    const parts = [];
    for (const g of ["C1", "C2", "Bw4"]) {
      const p = side[g];
      if (p === "absent") continue;
      parts.push(p === "definite" ? g : `${g} (${show(p)})`);
    }
    return parts.length ? parts.join(" ") : "none";
  }

  /** KIR ligands both sides, the missing ones, and the donor's KIR genes when given. */
  function kirFact(k, donorKir) {
    const dd = el("dd", {});
    if (!k) {
      dd.append("not scored");
      return dd;
    }
    const missing = k.missing_in_recipient || {};
    const definite = Array.isArray(missing.definite) ? missing.definite : [];
    const possible = Array.isArray(missing.possible) ? missing.possible : [];
    const headline = definite.length ? `missing in the recipient: ${definite.join(", ")}`
      : possible.length ? `possibly missing in the recipient: ${possible.join(", ")}`
      : "no ligand missing in the recipient";
    dd.append(el("strong", { text: headline }),
      ` (recipient ${ligandList(k.recipient)}; donor ${ligandList(k.donor)}): ${show(k.basis)}`);
    if (donorKir) {
      dd.append(el("br"), el("strong", { text: `KIR B content: ${show(donorKir.category)}${donorKir.b_content !== null && donorKir.b_content !== undefined ? ` (${donorKir.b_content} of 4)` : ""}` }),
        `: ${show(donorKir.basis)}`);
    }
    return dd;
  }

  function dsaBlock(donorId, e, match) {
    const list = Array.isArray(e.dsa) ? e.dsa : [];
    const wrap = el("div", { class: "dsa" });
    if (!list.length) {
      wrap.append(el("p", { class: "muted", text: "Antibodies against this donor: none listed (see the reasons)." }));
      return wrap;
    }
    const threshold = match && match.dsa_mfi_threshold !== undefined ? match.dsa_mfi_threshold : "";
    wrap.append(el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": `Antibodies against ${donorId}` },
      el("table", { class: "data-table dsa-table" },
        el("caption", { text: `Recipient antibodies against ${donorId}` }),
        el("thead", {}, el("tr", {}, ["Specificity", "MFI", "Kind", "Donor allele", "Via", `At or above ${threshold}`, "Why"].map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, list.map((d) => el("tr", { class: d.kind === "dsa" && d.at_or_above_threshold ? "dsa-row-dsa" : null },
          el("th", { scope: "row", text: show(d.specificity) }),
          el("td", { class: "num", text: show(d.mfi) }),
          el("td", {}, d.kind === "dsa" && d.at_or_above_threshold ? el("strong", { text: show(d.kind) }) : show(d.kind)),
          el("td", { text: show(d.donor) }),
          el("td", { text: show(d.via) }),
          el("td", { text: d.at_or_above_threshold ? "yes" : "no" }),
          el("td", { text: show(d.why) })))))));
    return wrap;
  }

  /** The per-locus grid, collapsed by default (keyboard: summary is a button). */
  function gridBlock(donor) {
    const details = el("details", { class: "grid-details" },
      el("summary", {}, "HLA grid: ", totalsLine(donor.total)));
    const table = el("table", { class: "data-table hla-grid" },
      el("caption", { text: `HLA of ${donor.id} against the patient, per locus and position` }),
      el("thead", {}, el("tr", {}, ["Locus", "Position", "Recipient", "Donor", "Grade", "Match", "GvH", "HvG"].map((h) => el("th", { scope: "col", text: h })))));
    for (const [locus, info] of Object.entries(donor.loci || {})) table.append(locusRows(locus, info));
    details.append(el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": `HLA grid of ${donor.id}` }, table));
    return details;
  }

  function locusRows(locus, info) {
    const body = el("tbody", { class: info.scored ? null : "unscored" });
    const positions = Array.isArray(info.positions) && info.positions.length ? info.positions : [null];
    positions.forEach((p, i) => {
      const row = el("tr", {});
      if (i === 0) row.append(el("th", { scope: "rowgroup", rowspan: String(positions.length), text: locus }));
      if (!p) {
        row.append(el("td", { colspan: "5", class: "muted", text: info.scored ? "no positions given" : `not scored (grade ${show(info.grade)})` }));
      } else {
        const matchCell = p.allele_match
          ? el("td", { class: "is-match" }, el("span", { "aria-hidden": "true", text: "✓ " }), "match")
          : el("td", { class: "is-mismatch" }, el("span", { "aria-hidden": "true", text: "✗ " }), p.antigen_match ? "allele mismatch (antigen match)" : "mismatch");
        row.append(
          el("td", { text: String(i + 1) }),
          el("td", {}, el("code", { text: show(p.recipient) })),
          el("td", {}, el("code", { text: show(p.donor) })),
          el("td", { text: show(p.grade) }),
          matchCell);
      }
      if (i === 0) {
        row.append(el("td", { class: "num", rowspan: String(positions.length), text: show(info.gvh_mismatches) }),
          el("td", { class: "num", rowspan: String(positions.length), text: show(info.hvg_mismatches) }));
      }
      body.append(row);
    });
    return body;
  }

  // ---------------------------------------------------------------- pedigree

  const NODE = 44;        // shape size
  const SLOT = 190;       // horizontal spacing
  const ROW = 190;        // vertical spacing between generations
  const MARGIN = 80;

  const pedigree = {
    render(doc) {
      const view = clear(byId("family-view"));
      byId("family-empty").hidden = !!doc;
      if (!doc) {
        byId("family-empty").textContent = state.results && state.results.inputs.family
          ? "No pedigree: the family could not be segregated (see the error above)."
          : "The pedigree is drawn when the donors are a family file (with roles).";
        return;
      }
      const families = Array.isArray(doc.families) ? doc.families : [];
      // The rows this family came from (the table may have changed since).
      const rowsById = new Map(state.results.inputs.rows.map((r) => [r.id, r]));
      families.forEach((fam, i) => view.append(familyBlock(fam, i, families.length, rowsById)));
      if (Array.isArray(doc.rejected) && doc.rejected.length) view.append(rejectedTable(doc.rejected, "Family rows rejected"));
    },
  };

  function familyBlock(fam, index, count, rowsById) {
    const name = fam.family_id ? `Family ${fam.family_id}` : (count > 1 ? `Family ${index + 1}` : "Pedigree");
    const members = Array.isArray(fam.members) ? fam.members : [];
    const patient = members.find((m) => m.role === "patient");
    const patientLetters = new Set(patient ? letters(patient.haplotypes) : []);
    const block = el("section", { class: "family-block", "aria-label": name });
    block.append(el("h3", { text: name }));

    if (fam.consistent === false) {
      block.append(el("div", { class: "notice notice-error" },
        el("p", {}, el("strong", { text: "⚠ NOT CONSISTENT: " }), "the family cannot be explained as stated; the verdicts resting on it need review."),
        el("ul", {}, (fam.problems || []).map((p) => el("li", { text: String(p) })))));
    } else {
      block.append(el("p", { class: "family-summary",
        text: `Consistent: ${plural(Number(fam.recombinations) || 0, "crossover", "crossovers")}; ${plural(Number(fam.explanations) || 0, "equally good explanation", "equally good explanations")}${fam.explanations_truncated ? " (search truncated)" : ""}.` }));
    }
    if (Array.isArray(fam.notes) && fam.notes.length) {
      block.append(el("ul", { class: "family-notes", "aria-label": "Notes on the family" }, fam.notes.map((n) => el("li", { text: String(n) }))));
    }

    const drawing = drawPedigree(members, patientLetters, rowsById, name);
    block.append(el("figure", { class: "pedigree-figure" },
      el("div", { class: "pedigree-scroll", tabindex: "0", role: "region", "aria-label": `${name}: drawing` }, drawing),
      el("figcaption", { class: "visually-hidden", text: `${name}; the list below the legend gives the same facts.` })));
    block.append(legend());
    block.append(factList(members, patientLetters));
    return block;
  }

  /** The single letters of a haplotype string ("a/b:B-DRB1|(a or c)" → a, b, a, c). */
  function letters(haplotypes) {
    return (String(haplotypes || "").match(/\b[a-z]\b/g) || []);
  }

  /** Splits a haplotype string into plain text and one-letter tokens. */
  function haplotypeTokens(haplotypes) {
    return String(haplotypes || "").split(/(\b[a-z]\b)/).filter((t) => t !== "");
  }

  function letterClass(letter, patientLetters) {
    return `hap-letter hap-${/^[a-hx]$/.test(letter) ? letter : "other"}${patientLetters.has(letter) ? " hap-patient" : ""}`;
  }

  function sexOf(member, rowsById) {
    if (member.role === "father") return "male";
    if (member.role === "mother") return "female";
    const row = rowsById.get(member.id);
    return row ? normalise.sex(row.sex) : "unknown";
  }

  function sharesText(m) {
    if (m.role === "patient") return "";
    const named = (m.shared_haplotypes || []).map((s) => String(s).replace(/\s*\((.*)\)\s*$/, " $1"));
    const list = named.length ? ` (${named.join(", ")})` : "";
    if (m.shared_with_patient !== null && m.shared_with_patient !== undefined) return `shares ${m.shared_with_patient}${list}`;
    if (m.shared_as_typed !== null && m.shared_as_typed !== undefined) return `shares ${m.shared_as_typed} as typed${list}`;
    if (m.likely_shared !== null && m.likely_shared !== undefined) return `likely shares ${m.likely_shared}${list}`;
    return m.role === "other" ? "not segregated" : "sharing undetermined";
  }

  function marksOf(m) {
    const marks = [];
    if (m.recombinant) marks.push({ symbol: "R", cls: "mark-recombinant", text: "recombinant haplotype (crossover)" });
    if (Array.isArray(m.shared_segments) && m.shared_segments.length) marks.push({ symbol: "S", cls: "mark-segment", text: "shares a segment of a patient's haplotype (a crossover)" });
    if (m.inconsistent) marks.push({ symbol: "!", cls: "mark-inconsistent", text: "not explained by the stated parents" });
    if (m.needs_review) marks.push({ symbol: "?", cls: "mark-review", text: "needs review" });
    return marks;
  }

  function roleLabel(m) {
    const role = String(m.role || "").replace(/_/g, " ");
    return m.in_input === false ? `${role} (inferred)` : role;
  }

  /**
   * Places members by generation: parents; the sibship with the patient last,
   * then the patient's partners (and a placeholder for each other parent
   * named by a child but not in the file), then half-siblings; the patient's
   * children; members the family does not segregate (role other) apart.
   */
  function layout(members, rowsById) {
    const pos = new Map();
    const pick = (role) => members.filter((m) => m.role === role);
    const father = pick("father")[0];
    const mother = pick("mother")[0];
    const patient = pick("patient")[0];
    const sibs = [...pick("sibling"), ...(patient ? [patient] : [])];
    const patHalf = pick("paternal_half_sibling");
    const matHalf = pick("maternal_half_sibling");
    const anyHalf = pick("half_sibling");
    const partners = pick("partner");
    const children = pick("child");
    const known = new Set([father, mother, ...sibs, ...patHalf, ...matHalf, ...anyHalf, ...partners, ...children].filter(Boolean));
    const others = members.filter((m) => !known.has(m));

    // Children grouped by the other parent they name.
    const groups = new Map();
    for (const c of children) {
      const row = rowsById.get(c.id);
      const name = row && row.other_parent ? String(row.other_parent) : "";
      const partner = name ? partners.find((p) => p.id === name) : undefined;
      const key = partner ? `member:${partner.id}` : `name:${name}`;
      if (!groups.has(key)) groups.set(key, { partner, name, kids: [] });
      groups.get(key).kids.push(c);
    }

    // Parents are drawn whenever the sibship needs them; a parent the file
    // lacks (and the family did not infer) is a placeholder, not a member.
    const hasParents = !!(father || mother || sibs.length > 1 || patHalf.length || matHalf.length || anyHalf.length);
    const y0 = 0;
    const y1 = hasParents ? ROW : 0;
    let x = 0;
    const place = (m, px, py) => pos.set(m.id, { x: px, y: py, member: m });
    for (const m of patHalf) { place(m, x, y1); x += SLOT; }
    const sibStart = x;
    for (const m of sibs) { place(m, x, y1); x += SLOT; }
    const sibEnd = x - SLOT;
    const placeholders = [];
    const unions = []; // {x, partner?, placeholder?} right of the patient, in order
    for (const m of partners) { place(m, x, y1); unions.push({ x, partner: m }); x += SLOT; }
    for (const g of groups.values()) {
      if (g.partner) continue;
      const ph = { x, y: y1, sex: "unknown", label: g.name || "other parent", title: `${g.name || "the other parent"} (not in the file): the other parent of ${g.kids.map((k) => k.id).join(", ")}` };
      placeholders.push(ph);
      unions.push({ x, placeholder: ph, group: g });
      x += SLOT;
    }
    for (const m of matHalf) { place(m, x, y1); x += SLOT; }
    for (const m of anyHalf) { place(m, x, y1); x += SLOT; }

    const mid = sibs.length ? (sibStart + sibEnd) / 2 : x / 2;
    const parentAt = { father: null, mother: null };
    if (hasParents) {
      for (const [role, member, px, sex] of [["father", father, mid - SLOT / 2, "male"], ["mother", mother, mid + SLOT / 2, "female"]]) {
        if (member) place(member, px, y0);
        else {
          const ph = { x: px, y: y0, sex, label: role, title: `the ${role}: not in the file` };
          placeholders.push(ph);
        }
        parentAt[role] = { x: px, y: y0 };
      }
    }

    // Each group's line comes down from its union line, just left of the
    // other parent, and its children are centred under that point.
    const y2 = y1 + ROW;
    const descents = [];
    let nextFree = -Infinity;
    for (const g of groups.values()) {
      const union = unions.find((u) => (g.partner ? u.partner === g.partner : u.group === g));
      const from = union.x - SLOT / 2;
      let start = from - ((g.kids.length - 1) * SLOT) / 2;
      if (start < nextFree) start = nextFree;
      g.kids.forEach((k, i) => place(k, start + i * SLOT, y2));
      nextFree = start + g.kids.length * SLOT;
      descents.push({ from, kids: g.kids });
    }
    const yOthers = (children.length ? y2 : y1) + ROW;
    others.forEach((m, i) => place(m, i * SLOT, yOthers));

    return { pos, parentAt, patient, sibs, patHalf, matHalf, anyHalf, unions, placeholders, descents, others, y0, y1, y2, yOthers, hasParents };
  }

  function drawPedigree(members, patientLetters, rowsById, name) {
    const L = layout(members, rowsById);
    const all = [...L.pos.values()];
    const xs = [...all.map((p) => p.x), ...L.placeholders.map((p) => p.x)];
    const ys = [...all.map((p) => p.y), ...L.placeholders.map((p) => p.y)];
    const minX = Math.min(...xs) - MARGIN - 40;
    const maxX = Math.max(...xs) + MARGIN + 40;
    const minY = Math.min(...ys) - 60;
    const maxY = Math.max(...ys) + 130;
    const width = maxX - minX;
    const height = maxY - minY;
    const root = svg("svg", {
      class: "pedigree", viewBox: `${minX} ${minY} ${width} ${height}`,
      width: String(width), height: String(height), role: "group", "aria-label": `${name}: pedigree drawing`,
    });
    const lines = svg("g", { class: "pedigree-lines", "aria-hidden": "true" });
    root.append(lines);
    const at = (m) => L.pos.get(m.id);
    const line = (x1, y1, x2, y2, cls = "") => lines.append(svg("line", { x1, y1, x2, y2, class: `ped-line ${cls}`.trim() }));
    const half = NODE / 2;

    // Parents: the couple line, then the line down to the sibship bar.
    if (L.hasParents) {
      const barY = L.y1 - ROW / 2 + 20;
      const fx = L.parentAt.father.x;
      const mx = L.parentAt.mother.x;
      const dropX = (fx + mx) / 2;
      line(fx + half, L.y0, mx - half, L.y0);
      line(dropX, L.y0, dropX, barY);
      if (L.sibs.length) {
        const sx = L.sibs.map((m) => at(m).x);
        line(Math.min(dropX, ...sx), barY, Math.max(dropX, ...sx), barY);
        for (const xv of sx) line(xv, barY, xv, L.y1 - half);
      }
      // A half-sibling hangs from the shared parent's union with "x", its
      // other parent outside the file; when the side is not known, dashed.
      const halfLine = (parentX, kids, side) => {
        if (!kids.length) return;
        const kx = kids.map((k) => at(k).x);
        const far = side < 0 ? Math.min(...kx) : Math.max(...kx);
        const known = parentX !== null;
        const startX = known ? parentX + side * half : dropX;
        const unionY = known ? L.y0 : barY;
        const cls = known ? "" : "ped-line-uncertain";
        line(startX, unionY, far, unionY, cls);
        for (const xv of kx) line(xv, unionY, xv, L.y1 - half, cls);
        lines.append(svg("text", { x: far - side * 6, y: unionY - 8, class: "ped-note", "text-anchor": side < 0 ? "start" : "end" },
          "× x = other parent"));
      };
      halfLine(fx, L.patHalf, -1);
      halfLine(mx, L.matHalf, +1);
      halfLine(null, L.anyHalf, +1);
    }

    // The patient's unions (partners, or placeholders) and children.
    if (L.patient) {
      const p = at(L.patient);
      for (const u of L.unions) line(p.x + half, L.y1, u.x - half, L.y1);
      const barY = L.y2 - ROW / 2 + 40;
      for (const d of L.descents) {
        const kx = d.kids.map((k) => at(k).x);
        line(d.from, L.y1, d.from, barY);
        line(Math.min(d.from, ...kx), barY, Math.max(d.from, ...kx), barY);
        for (const xv of kx) line(xv, barY, xv, L.y2 - half);
      }
    }
    if (L.others.length) {
      lines.append(svg("text", { x: at(L.others[0]).x - half, y: L.yOthers - half - 18, class: "ped-note" },
        "Not placed in the pedigree (role other; not segregated):"));
    }

    for (const ph of L.placeholders) root.append(placeholderNode(ph));
    for (const { x, y, member } of all) root.append(node(member, x, y, patientLetters, rowsById));
    return root;
  }

  /** A person the drawing needs but the file lacks (a parent, a child's other parent). */
  function placeholderNode(ph) {
    const half = NODE / 2;
    const g = svg("g", { class: "pedigree-placeholder", transform: `translate(${ph.x} ${ph.y})` },
      svg("title", {}, ph.title));
    g.append(shape(ph.sex, "ped-shape ped-inferred"));
    g.append(svg("g", { "aria-hidden": "true" },
      svg("text", { x: 0, y: half + 20, class: "ped-role", "text-anchor": "middle" }, ph.label),
      svg("text", { x: 0, y: half + 36, class: "ped-note", "text-anchor": "middle" }, "not in the file")));
    return g;
  }

  /** Pedigree symbols: square male, circle female, diamond unknown. */
  function shape(sex, cls) {
    const half = NODE / 2;
    if (sex === "male") return svg("rect", { x: -half, y: -half, width: NODE, height: NODE, class: cls });
    if (sex === "female") return svg("circle", { cx: 0, cy: 0, r: half, class: cls });
    return svg("polygon", { points: `0,${-half - 4} ${half + 4},0 0,${half + 4} ${-half - 4},0`, class: cls });
  }

  function node(m, x, y, patientLetters, rowsById) {
    const isPatient = m.role === "patient";
    const sex = sexOf(m, rowsById);
    const marks = marksOf(m);
    const shares = sharesText(m);
    const g = svg("g", {
      class: `pedigree-node${isPatient ? " is-patient" : ""}${m.in_input === false ? " is-inferred" : ""}${marks.length ? " is-flagged" : ""}`,
      transform: `translate(${x} ${y})`, data: { id: m.id },
    });
    g.append(svg("title", {}, nodeTitle(m, sex, shares, marks)));
    const half = NODE / 2;
    const shapeCls = `ped-shape${m.in_input === false ? " ped-inferred" : ""}${isPatient ? " ped-patient" : ""}`;
    g.append(shape(sex, shapeCls));

    if (isPatient) {
      // Proband arrow with "P", pedigree convention, and the word below.
      g.append(svg("line", { x1: -half - 34, y1: half - 2, x2: -half - 9, y2: half - 17, class: "ped-arrow" }),
        svg("polygon", { points: `${-half - 3},${half - 21} ${-half - 14},${half - 20} ${-half - 8},${half - 11}`, class: "ped-arrowhead" }),
        svg("text", { x: -half - 40, y: half + 6, class: "ped-proband", "text-anchor": "middle" }, "P"));
    }
    marks.forEach((mk, i) => {
      const mx = half + 4 + i * 20;
      g.append(svg("g", { class: `ped-mark ${mk.cls}`, "aria-hidden": "true" },
        svg("circle", { cx: mx, cy: -half - 2, r: 9 }),
        svg("text", { x: mx, y: -half + 2, "text-anchor": "middle" }, mk.symbol)));
    });

    const label = svg("g", { class: "ped-labels", "aria-hidden": "true" });
    let ty = half + 20;
    label.append(svg("text", { x: 0, y: ty, class: "ped-id", "text-anchor": "middle" }, m.id));
    ty += 20;
    const hap = svg("text", { x: 0, y: ty, class: "haplotypes", "text-anchor": "middle" });
    for (const tok of haplotypeTokens(m.haplotypes)) {
      hap.append(/^[a-z]$/.test(tok) ? svg("tspan", { class: letterClass(tok, patientLetters) }, tok) : document.createTextNode(tok));
    }
    label.append(hap);
    if (!m.haplotypes) label.append(svg("text", { x: 0, y: ty, class: "ped-muted", "text-anchor": "middle" }, "no haplotypes"));
    ty += 17;
    label.append(svg("text", { x: 0, y: ty, class: isPatient ? "ped-role ped-role-patient" : "ped-role", "text-anchor": "middle" }, isPatient ? "patient" : roleLabel(m)));
    // "shares 2" over "(a paternal, c maternal)": break before the list first.
    const cut = shares.length > 24 ? shares.indexOf(" (") : -1;
    const shareLines = cut > 0 ? [shares.slice(0, cut), ...wrapText(shares.slice(cut + 1), 26)] : wrapText(shares, 26);
    for (const part of shareLines) {
      ty += 15;
      label.append(svg("text", { x: 0, y: ty, class: "ped-shares", "text-anchor": "middle" }, part));
    }
    for (const segment of Array.isArray(m.shared_segments) ? m.shared_segments : []) {
      for (const part of wrapText(`segment ${segment}`, 26)) {
        ty += 14;
        label.append(svg("text", { x: 0, y: ty, class: "ped-segment", "text-anchor": "middle" }, part));
      }
    }
    g.append(label);
    return g;
  }

  /** Breaks a label into lines of about `width` characters, at spaces, so nodes stay narrow. */
  function wrapText(text, width) {
    if (!text) return [];
    const lines = [];
    let current = "";
    for (const word of String(text).split(" ")) {
      if (current && (current + " " + word).length > width) {
        lines.push(current);
        current = word;
      } else {
        current = current ? `${current} ${word}` : word;
      }
    }
    if (current) lines.push(current);
    return lines;
  }

  function nodeTitle(m, sex, shares, marks) {
    const parts = [`${m.id}: ${m.role === "patient" ? "the patient" : roleLabel(m)}, ${sex}`];
    parts.push(m.haplotypes ? `haplotypes ${m.haplotypes} (paternal|maternal)` : "no haplotypes assigned");
    if (shares) parts.push(shares + (m.role === "patient" ? "" : " with the patient"));
    if (Array.isArray(m.shared_segments) && m.shared_segments.length) parts.push(`shared segments: ${m.shared_segments.join(", ")}`);
    if (m.verdict) parts.push(`${m.verdict}${m.basis ? `: ${m.basis}` : ""}`);
    for (const mk of marks) parts.push(mk.text);
    if (Array.isArray(m.flags)) parts.push(...m.flags.map(String));
    return parts.join("; ");
  }

  function legend() {
    const icon = (shape, cls = "") => {
      const s = svg("svg", { class: "legend-icon", viewBox: "-12 -12 24 24", width: "20", height: "20", "aria-hidden": "true", focusable: "false" });
      if (shape === "square") s.append(svg("rect", { x: -9, y: -9, width: 18, height: 18, class: `ped-shape ${cls}` }));
      else if (shape === "circle") s.append(svg("circle", { r: 9, class: `ped-shape ${cls}` }));
      else if (shape === "diamond") s.append(svg("polygon", { points: "0,-11 11,0 0,11 -11,0", class: `ped-shape ${cls}` }));
      else s.append(svg("g", { class: `ped-mark ${cls}` }, svg("circle", { r: 9 }), svg("text", { y: 4, "text-anchor": "middle" }, shape)));
      return s;
    };
    const item = (ic, text) => el("li", {}, ic, el("span", { text }));
    return el("div", { class: "legend" },
      el("h4", { text: "Legend" }),
      el("ul", { class: "legend-list" },
        item(icon("square"), "male"),
        item(icon("circle"), "female"),
        item(icon("diamond"), "sex unknown"),
        item(icon("square", "ped-patient"), "the patient (filled, arrow P)"),
        item(icon("square", "ped-inferred"), "dashed: inferred from the children, or not in the file"),
        item(icon("R", "mark-recombinant"), "recombinant haplotype (a crossover)"),
        item(icon("S", "mark-segment"), "shares only a segment of a patient's haplotype"),
        item(icon("!", "mark-inconsistent"), "not explained by the stated parents"),
        item(icon("?", "mark-review"), "needs review"),
        el("li", {}, el("span", { class: "legend-letters" }, el("span", { class: "hap-letter hap-a hap-patient", text: "a" }), "|", el("span", { class: "hap-letter hap-c hap-patient", text: "c" })),
          el("span", { text: "haplotype letters, paternal|maternal; the patient's letters are bold and underlined wherever they appear; x is a half-sibling's other parent (not in the file)" }))));
  }

  /** The same facts as the drawing, as text (screen readers, print). */
  function factList(members, patientLetters) {
    const list = el("ul", { class: "pedigree-facts", "aria-label": "Family members" });
    for (const m of members) {
      const hap = el("span", { class: "hap-text" });
      for (const tok of haplotypeTokens(m.haplotypes)) hap.append(/^[a-z]$/.test(tok) ? el("span", { class: letterClass(tok, patientLetters), text: tok }) : tok);
      const marks = marksOf(m);
      const bits = [];
      const shares = sharesText(m);
      if (shares) bits.push(shares);
      if (Array.isArray(m.shared_segments) && m.shared_segments.length) bits.push(`shared segments: ${m.shared_segments.join(", ")}`);
      if (m.verdict) bits.push(`${m.verdict}${m.basis ? `: ${m.basis}` : ""}`);
      else if (m.segregation_basis && m.role !== "patient") bits.push(m.segregation_basis);
      for (const mk of marks) bits.push(`${mk.symbol} ${mk.text}`);
      if (Array.isArray(m.flags)) bits.push(...m.flags.map(String));
      list.append(el("li", { data: { memberId: m.id } },
        el("strong", { text: m.id }), ` (${m.role === "patient" ? "patient" : roleLabel(m)}): haplotypes `,
        m.haplotypes ? hap : "none", bits.length ? `; ${bits.join("; ")}` : ""));
    }
    return list;
  }

  // ---------------------------------------------------------------- export and print

  const exporter = {
    download(name, type, text) {
      const url = URL.createObjectURL(new Blob([text], { type }));
      const a = el("a", { href: url, download: name, class: "visually-hidden" }, name);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },

    baseName() {
      const asOf = state.results && state.results.inputs.options.as_of;
      return `haplomatch-${asOf || todayISO()}`;
    },

    json() {
      const r = state.results;
      const doc = {
        generated_at: r.at.toISOString(),
        service: state.version,
        inputs: r.inputs,
        match: r.match,
        rank: r.rank,
        family: r.family,
      };
      this.download(`${this.baseName()}.json`, "application/json", JSON.stringify(doc, null, 2) + "\n");
    },

    csv() {
      const r = state.results;
      const header = ["rank", "id", "relationship", "age", "status", "verdict", "matches", "out_of", "gvh_mismatches", "hvg_mismatches",
        "b_leader", "b_leader_status", "kir_missing_in_recipient", "kir_b_content", "reasons"];
      const lines = [header];
      for (const { donor, rank } of orderDonors(r.match, r.rank)) {
        if (!donor) continue;
        const t = donor.total || {};
        const e = donor.eligibility || {};
        lines.push([rank ? rank.rank : "", donor.id, donor.relationship, donor.age, e.status, donor.haplo ? donor.haplo.verdict : "",
          t.matches, t.out_of, t.gvh_mismatches, t.hvg_mismatches,
          donor.b_leader ? donor.b_leader.match : "", donor.b_leader && donor.b_leader.status ? donor.b_leader.status : "",
          donor.kir_ligands ? [...donor.kir_ligands.missing_in_recipient.definite,
            ...donor.kir_ligands.missing_in_recipient.possible.map((g) => `${g}?`)].join(" ") : "",
          donor.donor_kir ? donor.donor_kir.category : "",
          (e.reasons || []).join("; ")]);
      }
      this.download(`${this.baseName()}.csv`, "text/csv", lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n");
    },
  };

  /**
   * RFC 4180 quoting. A cell that a spreadsheet would run as a formula
   * (= + - @ first) gets a leading apostrophe: ids and typings are user text.
   */
  function csvCell(value) {
    let s = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }

  // Closed <details> do not print: open them for the printout, then restore.
  const printing = {
    reopened: [],
    before() {
      printing.reopened = Array.from(document.querySelectorAll("#results details:not([open])"));
      for (const d of printing.reopened) d.open = true;
    },
    after() {
      for (const d of printing.reopened) d.open = false;
      printing.reopened = [];
    },
  };

  // ---------------------------------------------------------------- the example

  /** One click: the example family, its antibodies, the protocol, and a check. */
  async function loadExample() {
    const button = byId("load-example");
    if (button.getAttribute("aria-disabled") === "true") return; // already loading
    button.setAttribute("aria-disabled", "true");
    messages.clearErrors();
    messages.status("Loading the example family…");
    try {
      const [familyText, antibodiesText] = await Promise.all([api.getText("/example/family.csv"), api.getText("/example/antibodies.txt")]);
      byId("donor-format").value = "auto";
      byId("donor-text").value = familyText;
      if (!(await donors.readText(familyText, "the example family"))) return;
      const patient = donors.patientRow();
      if (!patient) {
        messages.error("Loading the example", new Error("the example family has no row with role patient"));
        return;
      }
      patientForm.fillFrom(patient);
      byId("antibodies-none").checked = false;
      byId("patient-antibodies").value = antibodiesText;
      patientForm.syncAntibodies();
      byId("protocol").value = "NCT04835883";
      donors.checkPatientTyping();
      await analysis.run();
    } catch (err) {
      messages.error("Loading the example family", err);
      messages.status("Could not load the example family.");
    } finally {
      button.removeAttribute("aria-disabled");
    }
  }

  // ---------------------------------------------------------------- wiring

  function readFile(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error || new Error("the file could not be read"));
      reader.readAsText(file);
    });
  }

  function wire() {
    // Forms never submit (the CSP also forbids it): Enter runs the form's action.
    byId("patient-form").addEventListener("submit", (e) => e.preventDefault());

    byId("patient-typing").addEventListener("input", () => { typing.scheduleCheck(); donors.checkPatientTyping(); });
    for (const input of typing.inputs()) input.addEventListener("input", () => { typing.scheduleCheck(); donors.checkPatientTyping(); });
    for (const radio of document.querySelectorAll("input[name=typing-mode]")) {
      radio.addEventListener("change", () => { if (radio.checked) typing.setMode(radio.value); });
    }
    byId("antibodies-none").addEventListener("change", () => patientForm.syncAntibodies());
    // Any change to the inputs makes shown results out of date.
    byId("patient-form").addEventListener("input", () => results.markStale());
    byId("patient-form").addEventListener("change", () => results.markStale());

    byId("donor-file").addEventListener("change", async (event) => {
      const file = event.target.files && event.target.files[0];
      if (!file) return;
      try {
        const text = await readFile(file);
        byId("donor-text").value = text.length <= SHOW_FILE_TEXT_MAX ? text : "";
        await donors.readText(text, file.name);
      } catch (err) {
        messages.error(`Reading ${file.name}`, err);
      }
    });
    byId("donor-file-form").addEventListener("submit", (event) => {
      event.preventDefault();
      donors.readText(byId("donor-text").value, "the pasted text");
    });
    byId("add-form").addEventListener("submit", (event) => {
      event.preventDefault();
      donors.addFromForm();
    });

    byId("check-donors").addEventListener("click", () => analysis.run());
    byId("load-example").addEventListener("click", () => loadExample());
    byId("print-report").addEventListener("click", () => window.print());
    byId("download-json").addEventListener("click", () => exporter.json());
    byId("download-csv").addEventListener("click", () => exporter.csv());
    window.addEventListener("beforeprint", printing.before);
    window.addEventListener("afterprint", printing.after);
  }

  async function loadVersion() {
    try {
      state.version = await api.get("/v1/version");
      const v = state.version;
      byId("version-line").textContent =
        `haplomatch ${show(v.version)} · IPD-IMGT/HLA ${show(v.imgt_version)}${v.imgt_date ? ` (${v.imgt_date})` : ""}`;
    } catch (err) {
      byId("version-line").textContent = "Reference data: unknown (the version could not be read)";
      messages.error("Reading the service version", err);
    }
  }

  function init() {
    byId("as-of").value = todayISO();
    typing.setMode("gl");
    patientForm.syncAntibodies();
    donors.render();
    wire();
    loadVersion();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
