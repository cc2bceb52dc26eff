// Page, section and click tracking for analytics (docs: /privacy).
// <body data-page="..." data-beacon="/beacon">; sections carry data-track="name".
// Sends one page view, each section's first view (when half of it is on screen)
// and clicks on links and buttons inside a section, batched with sendBeacon.
// Honours Do Not Track and Global Privacy Control: then nothing is sent.
(function () {
  var body = document.body;
  var url = body && body.dataset.beacon;
  var page = body && body.dataset.page;
  if (!url || !page || !navigator.sendBeacon) return;
  if (navigator.doNotTrack === "1" || window.doNotTrack === "1" || navigator.globalPrivacyControl) return;

  var queue = [];
  var sendPageView = true;
  var timer = null;

  function flush() {
    timer = null;
    if (!queue.length && !sendPageView) return;
    var payload = { page: page, view: sendPageView, events: queue.splice(0, 40) };
    sendPageView = false;
    navigator.sendBeacon(url, new Blob([JSON.stringify(payload)], { type: "application/json" }));
    if (queue.length) schedule();
  }
  function schedule() {
    if (!timer) timer = setTimeout(flush, 1000);
  }
  function push(section, action) {
    queue.push({ section: section, action: action });
    if (queue.length >= 40) flush(); else schedule();
  }

  var seen = {};
  function watch(root) {
    if (!("IntersectionObserver" in window)) return;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var name = entry.target.dataset.track;
        if (entry.isIntersecting && !seen[name]) {
          seen[name] = true;
          push(name, "view");
          observer.unobserve(entry.target);
        }
      });
    }, { threshold: 0.5 });
    root.querySelectorAll("[data-track]").forEach(function (el) { observer.observe(el); });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("a, button");
    var section = target && target.closest("[data-track]");
    if (section) push(section.dataset.track, "click");
  }, true);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  // htmx swaps in new sections (search results, review pages): watch them too.
  document.addEventListener("htmx:afterSwap", function (event) { watch(event.target); });
  watch(document);
  schedule();
})();
