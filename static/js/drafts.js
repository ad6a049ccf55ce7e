// Drafts: a create form's input is kept in this browser while it is typed, and offered back
// when the form is opened again (after a reload, a crash, or signing in again when the
// session ran out). The draft is removed when the server says the form was saved (the page
// after the save carries its one-time key) and at sign-out. Nothing is sent anywhere.
(function () {
  "use strict";
  var PREFIX = "makesafe-draft:";
  var KEPT_MS = 24 * 60 * 60 * 1000; // a draft older than a day is not offered
  var store;
  try { store = window.localStorage; store.getItem(PREFIX); } catch (e) { return; }

  function drafts() {
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      if (store.key(i).indexOf(PREFIX) === 0) { keys.push(store.key(i)); }
    }
    return keys;
  }

  // The page after a save names the key it saved: forget the draft that carried it.
  var saved = document.querySelector("meta[name=makesafe-saved]");
  drafts().forEach(function (key) {
    try {
      var draft = JSON.parse(store.getItem(key));
      if ((saved && draft.submission === saved.content) || Date.now() - draft.at > KEPT_MS) {
        store.removeItem(key);
      }
    } catch (e) { store.removeItem(key); }
  });

  // Sign-out forgets every draft in this browser.
  var signOut = document.getElementById("sign-out");
  if (signOut) {
    signOut.addEventListener("submit", function () {
      drafts().forEach(function (key) { store.removeItem(key); });
    });
  }

  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var key = PREFIX + form.dataset.draft;
  var SKIP = { csrfmiddlewaretoken: true, expected_version: true };

  function read() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || SKIP[field.name] || field.type === "file" || field.type === "submit") { return; }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
      if (field.tagName === "SELECT" && field.multiple) {
        values[field.name] = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
        return;
      }
      (values[field.name] = values[field.name] || []).push(field.value);
    });
    return values;
  }

  function fill(values) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || SKIP[field.name] || field.type === "file" || field.type === "submit") { return; }
      var wanted = values[field.name] || [];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = wanted.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (o) { o.selected = wanted.indexOf(o.value) !== -1; });
      } else if (wanted.length) {
        field.value = wanted[0];
      }
    });
  }

  function keep() {
    var values = read();
    var submission = (values.submission_key || [""])[0];
    store.setItem(key, JSON.stringify({ at: Date.now(), submission: submission, values: values }));
  }

  var offer = document.getElementById("draft-offer");
  var earlier = null;
  try { earlier = JSON.parse(store.getItem(key)); } catch (e) { earlier = null; }
  // A form the server sent back with errors already holds the input it was sent.
  if (earlier && offer && !form.querySelector(".is-invalid")) {
    var time = new Date(earlier.at);
    offer.querySelector("[data-draft-time]").textContent =
      time.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    offer.hidden = false;
    offer.querySelector("[data-draft-restore]").addEventListener("click", function () {
      fill(earlier.values);
      offer.hidden = true;
      keep();
      form.querySelector("input:not([type=hidden]), select, textarea").focus();
    });
    offer.querySelector("[data-draft-discard]").addEventListener("click", function () {
      store.removeItem(key);
      offer.hidden = true;
    });
  }
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
})();
