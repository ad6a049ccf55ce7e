// Offline visits for an operation (README "In the field", docs/security.md check 38).
//
// "Prepare for offline" on an operation page registers the worker (/visits/sw.js) and keeps
// that page, the log form of each premises still to visit and the static files they use in
// one cache, makesafe-offline:<user>:<operation>:<last day kept>. With no connection the
// worker answers those pages from the cache, and a visit logged on one of those forms is kept
// in IndexedDB with a new one-time key, shown as waiting to send, and sent when the
// connection returns (or by "Send now"): the server saves a key once, so a resend never
// duplicates. One the server refuses comes back, on "Correct it", as the server's form with its
// errors. Sent with the current page's CSRF token; if the session ended, the visits wait until
// the officer signs in again. Nothing is kept past the operation's day plus one, and sign-out,
// after a warning about unsent visits, deletes it all.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.caches || !window.indexedDB ||
      !window.crypto || !window.crypto.randomUUID) { return; }

  var PREFIX = "makesafe-offline:";
  var DB = "makesafe-offline";
  var MARK = "makesafe-offline"; // in localStorage: something offline is kept in this browser
  var signOut = document.getElementById("sign-out");
  var user = signOut ? signOut.dataset.user : null;
  var planNode = document.getElementById("offline-plan");
  var plan = planNode ? JSON.parse(planNode.textContent) : null;
  var section = document.getElementById("offline");
  var form = document.querySelector("form[data-offline]");
  var warning = document.getElementById("offline-sign-out");
  var saved = document.querySelector("meta[name=makesafe-saved]");

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function today() {
    var now = new Date();
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }
  function dayShown(iso) {
    return new Date(iso + "T12:00:00").toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
  }
  function visits(n) { return n + (n === 1 ? " visit" : " visits"); }
  function marked() { try { return localStorage.getItem(MARK) === "1"; } catch (e) { return false; } }
  function mark(on) {
    try { if (on) { localStorage.setItem(MARK, "1"); } else { localStorage.removeItem(MARK); } } catch (e) { /* private mode */ }
  }

  // --- The queue: IndexedDB, one row per visit, keyed by its one-time key ---------------------
  function store(mode, work) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open(DB, 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore("visits", { keyPath: "key" }); };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var db = opening.result;
        var tx = db.transaction("visits", mode);
        var request = work(tx.objectStore("visits"));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      };
    });
  }
  function entries() { return store("readonly", function (s) { return s.getAll(); }); }
  function put(entry) { return store("readwrite", function (s) { return s.put(entry); }); }
  function remove(key) { return store("readwrite", function (s) { return s.delete(key); }); }

  function ourCaches() {
    return caches.keys().then(function (names) {
      return names.filter(function (name) { return name.indexOf(PREFIX) === 0; });
    });
  }
  function cacheName(p) { return PREFIX + user + ":" + p.operation + ":" + p.until; }

  // Past the operation's day plus one, nothing is kept; another user's pages neither.
  function prune() {
    return ourCaches().then(function (names) {
      return Promise.all(names.filter(function (name) {
        var parts = name.split(":");
        return parts[3] < today() || (user && parts[1] !== user);
      }).map(function (name) { return caches.delete(name); }));
    }).then(entries).then(function (all) {
      var past = all.filter(function (entry) { return entry.until < today(); });
      return Promise.all(past.map(function (entry) { return remove(entry.key); })).then(function () {
        return all.filter(function (entry) { return past.indexOf(entry) === -1; });
      });
    });
  }

  function forgetAll() {
    return Promise.all([
      ourCaches().then(function (names) { return Promise.all(names.map(function (n) { return caches.delete(n); })); }),
      new Promise(function (resolve) {
        var deleting = indexedDB.deleteDatabase(DB);
        deleting.onsuccess = deleting.onerror = deleting.onblocked = resolve;
      }),
      navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (r) { return r.unregister(); }));
      })
    ]).then(function () { mark(false); });
  }

  // --- The operation page: prepare, show the queue, send ----------------------------------
  var status = document.getElementById("offline-status");
  function say(text) { if (status) { status.textContent = text; } }

  function prepare(p) {
    var statics = Array.prototype.map.call(
      document.querySelectorAll("link[rel=stylesheet][href], script[src]"),
      function (node) { return node.href || node.src; });
    var urls = [p.page].concat(p.forms, statics);
    return navigator.serviceWorker.register(p.worker).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      return Promise.all(urls.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          // A page that sent us elsewhere (signed out) is not what the officer will need.
          if (!response.ok || response.redirected) { throw new Error(url); }
          return [url, response];
        });
      }));
    }).then(function (answers) {
      // Anew each time: a form of a premises visited since is not kept any more.
      var name = cacheName(p);
      var older = PREFIX + user + ":" + p.operation + ":";
      return ourCaches().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf(older) === 0; })
          .map(function (n) { return caches.delete(n); }));
      }).then(function () { return caches.open(name); }).then(function (cache) {
        return Promise.all(answers.map(function (a) { return cache.put(a[0], a[1]); }));
      });
    }).then(function () { mark(true); });
  }

  function readyText(p) {
    return "Ready offline until the end of " + dayShown(p.until) + ": this checklist and the log " +
      "forms of " + p.forms.length + " premises are kept in this browser. Visits logged with no " +
      "connection are sent when it returns.";
  }

  function render(all) {
    if (!section) { return; }
    var mine = all.filter(function (e) { return e.user === user && String(e.operation) === section.dataset.operation; });
    var list = document.getElementById("offline-entries");
    var template = document.getElementById("offline-entry");
    list.replaceChildren();
    mine.sort(function (a, b) { return a.at - b.at; }).forEach(function (entry) {
      var item = template.content.firstElementChild.cloneNode(true);
      var refused = entry.state === "refused";
      Array.prototype.forEach.call(item.querySelectorAll("[data-entry-title]"), function (node) {
        node.textContent = entry.title;
      });
      item.querySelector("[data-entry-time]").textContent = new Date(entry.at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      var state = item.querySelector("[data-entry-state]");
      state.textContent = refused ? "refused by the server" : "waiting to send";
      state.classList.add(refused ? "text-bg-danger" : "text-bg-warning");
      var errors = item.querySelector("[data-entry-errors]");
      (entry.errors || []).forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        errors.appendChild(li);
      });
      errors.hidden = !refused;
      var actions = item.querySelector("[data-entry-actions]");
      actions.hidden = !refused;
      item.querySelector("[data-entry-open]").addEventListener("click", function () { reopen(entry); });
      item.querySelector("[data-entry-discard]").addEventListener("click", function () {
        remove(entry.key).then(refresh);
      });
      list.appendChild(item);
    });
    document.getElementById("offline-queue").hidden = !mine.length;
    document.getElementById("offline-send").hidden = !mine.some(function (e) { return e.state === "waiting"; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-waiting]"), function (badge) {
      badge.hidden = !mine.some(function (e) { return e.state === "waiting" && e.url === badge.dataset.offlineWaiting; });
    });
    section.hidden = !(plan || mine.length);
  }

  function refresh() {
    return prune().then(function (all) {
      render(all);
      warn(all);
      return ourCaches().then(function (names) {
        if (!names.length && !all.length && marked()) { return forgetAll().then(function () { return all; }); }
        return all;
      });
    });
  }

  function token() {
    var field = signOut && signOut.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function errorsIn(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var errors = Array.prototype.map.call(page.querySelectorAll("#error-summary li"), function (li) {
      return li.textContent.trim();
    });
    return errors.length ? errors : ["The server sent the form back."];
  }

  // Sends one visit; resolves true to go on with the next, false to stop (the rest wait).
  function send(entry, outcome) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) { if (pair[0] !== "csrfmiddlewaretoken") { body.append(pair[0], pair[1]); } });
    body.append("csrfmiddlewaretoken", token());
    return fetch(entry.url, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      if (new URL(response.url).pathname === signOut.dataset.login) {
        outcome.stopped = "You were signed out, so the visits logged offline wait in this browser: sign in again to send them.";
        outcome.signedOut = true;
        return false;
      }
      if (response.ok && response.redirected) { // saved now, or saved already under its key
        outcome.sent += 1;
        return remove(entry.key).then(function () { return true; });
      }
      if (response.status === 200 || response.status === 400 || response.status === 404) {
        outcome.refused += 1;
        return response.text().then(function (text) {
          entry.state = "refused";
          entry.errors = response.status === 200 ? errorsIn(text)
            : response.status === 404 ? ["The premises or the operation is no longer open for logging."]
            : [text.indexOf("<") === -1 && text.trim() ? text.trim() : "The server refused it."];
          return put(entry).then(function () { return true; });
        });
      }
      outcome.stopped = response.status === 403
        ? "The server refused the sending because this page is out of date: reload it, then press Send now."
        : "The server could not take the visits just now: they wait in this browser. Try Send now later.";
      return false;
    }, function () {
      outcome.stopped = "No connection: the visits wait in this browser and are sent when it returns.";
      return false;
    });
  }

  var SAID = "makesafe-offline-said"; // in sessionStorage: what to say after the reload
  var sending = null;
  // After sending, the operation page is loaded again to show the checklist as it now is (the
  // kept copy too); not while the sign-out warning is asking (`staying`).
  function sendAll(staying) {
    if (sending) { return sending; }
    if (!user || !navigator.onLine) {
      say("No connection: the visits wait in this browser and are sent when it returns.");
      return Promise.resolve();
    }
    var outcome = { sent: 0, refused: 0, stopped: null };
    sending = prune().then(function (all) {
      var waiting = all.filter(function (e) { return e.user === user && e.state === "waiting"; });
      return waiting.reduce(function (going, entry) {
        return going.then(function (go) { return go && send(entry, outcome); });
      }, Promise.resolve(true));
    }).then(function () {
      var parts = [];
      if (outcome.sent) { parts.push("Sent " + visits(outcome.sent) + " logged offline."); }
      if (outcome.refused) {
        parts.push(visits(outcome.refused) + " refused by the server: correct " + (outcome.refused === 1 ? "it" : "them") + " below.");
      }
      if (outcome.stopped) { parts.push(outcome.stopped); }
      if (parts.length) { say(parts.join(" ")); }
      var signIn = document.getElementById("offline-sign-in");
      if (signIn) { signIn.hidden = !outcome.signedOut; }
      if (outcome.sent && section && staying !== true) {
        return keepPageAgain().then(function () {
          try { sessionStorage.setItem(SAID, parts.join(" ")); } catch (e) { /* said already */ }
          location.reload();
        });
      }
    }).then(refresh, refresh).then(function (all) { sending = null; return all; });
    return sending;
  }

  function keepPageAgain() {
    if (!plan) { return Promise.resolve(); }
    return caches.has(cacheName(plan)).then(function (prepared) {
      if (!prepared) { return; }
      return fetch(plan.page, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok || response.redirected) { return; }
        return caches.open(cacheName(plan)).then(function (cache) { return cache.put(plan.page, response); });
      });
    }).catch(function () { /* the older copy stays */ });
  }

  // The server's own form with its errors: the stored input posted again, as a page.
  function reopen(entry) {
    if (!navigator.onLine) { say("No connection: correct it when the connection returns."); return; }
    var post = document.createElement("form");
    post.method = "post";
    post.action = entry.url;
    post.hidden = true;
    entry.fields.filter(function (pair) { return pair[0] !== "csrfmiddlewaretoken"; })
      .concat([["csrfmiddlewaretoken", token()]]).forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      post.appendChild(input);
    });
    document.body.appendChild(post);
    post.submit();
  }

  // --- The log form: with no connection, keep the visit instead of posting it -------------
  if (form && user) {
    var queuing = false;
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      if (queuing) { return; }
      queuing = true;
      // A new key: the cached form's key is the same every time it is opened offline.
      var key = window.crypto.randomUUID();
      var fields = [];
      // Without its CSRF token: the sending page adds its own (see send).
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken") { fields.push([name, name === "submission_key" ? key : String(value)]); }
      });
      put({
        key: key, user: user, operation: form.dataset.offline, until: form.dataset.offlineUntil,
        url: location.pathname + location.search, title: form.dataset.offlineTitle,
        fields: fields, at: Date.now(), state: "waiting", errors: []
      }).then(function () {
        mark(true);
        try { localStorage.removeItem("makesafe-draft:" + form.dataset.draft); } catch (e) { /* none kept */ }
        return caches.match(form.dataset.offlineReturn, { ignoreVary: true });
      }).then(function (cached) {
        if (cached) { location.href = form.dataset.offlineReturn; return; }
        var queued = document.getElementById("offline-queued");
        queued.hidden = false;
        queued.focus();
      });
    });
  }

  // --- Sign-out: warn about unsent visits, then delete everything kept --------------------
  function warn(all) {
    if (!warning || warning.hidden) { return; }
    warning.querySelector("[data-offline-count]").textContent = visits(all.length);
    warning.hidden = !all.length;
  }
  function leave() { forgetAll().then(function () { signOut.submit(); }); }
  if (signOut && warning) {
    signOut.addEventListener("submit", function (event) {
      if (!marked()) { return; }
      event.preventDefault();
      prune().then(function (all) {
        if (!all.length) { leave(); return; }
        warning.hidden = false;
        warn(all);
        warning.focus();
      });
    });
    warning.querySelector("[data-offline-send]").addEventListener("click", function () {
      sendAll(true).then(function (all) {
        if (all && !all.length) { leave(); }
      });
    });
    warning.querySelector("[data-offline-sign-out]").addEventListener("click", leave);
  }

  // --- Every page -------------------------------------------------------------------------
  if (!marked() && !plan && !section) { return; }
  var prepareButton = document.getElementById("offline-prepare");
  if (prepareButton && plan) {
    prepareButton.addEventListener("click", function () {
      if (!navigator.onLine) { say("No connection: prepare while the connection works."); return; }
      prepareButton.disabled = true;
      say("Preparing…");
      prepare(plan).then(function () {
        say(readyText(plan));
        prepareButton.textContent = "Prepare again";
      }, function () {
        say("This browser could not keep the pages for offline use. Reload the page and try again.");
      }).then(function () { prepareButton.disabled = false; });
    });
  }
  (saved ? remove(saved.content) : Promise.resolve()).then(refresh).then(function () {
    if (!plan) { return; }
    return caches.has(cacheName(plan)).then(function (prepared) {
      if (!prepared) { return; }
      say(readyText(plan));
      prepareButton.textContent = "Prepare again";
    });
  }).then(function () {
    try {
      var said = sessionStorage.getItem(SAID);
      sessionStorage.removeItem(SAID);
      if (said) { say(said); }
    } catch (e) { /* nothing said */ }
    if (navigator.onLine) { sendAll(); }
  });
  window.addEventListener("online", function () { sendAll(); });
  window.addEventListener("offline", function () { say("No connection: visits logged now wait in this browser."); });
  var sendButton = document.getElementById("offline-send");
  if (sendButton) { sendButton.addEventListener("click", function () { sendAll(); }); }
})();
