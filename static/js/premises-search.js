// Type-ahead for the premises search: fetches the same server-rendered results as the
// Search button, so the page works the same without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("premises-search");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[name=q]");
  var target = document.getElementById(form.dataset.results);
  var timer = null;
  var latest = 0;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var ticket = ++latest;
      var url = window.location.pathname + "?fragment=1&q=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (ticket === latest) { target.innerHTML = html; } })
        .catch(function () { /* the Search button still works */ });
    }, 200);
  });
})();
