// `pressroom local` only: reloads the page when the site bucket's copy of it changes. The
// local server adds this script to the HTML it serves, with the ETag of the object it
// served; the site bucket's pages never hold it. A script file of the site's own origin
// and an EventSource to that origin fit the deployed Content-Security-Policy
// (`script-src 'self'`, `connect-src 'self'`), so the page behaves as it will when deployed.
(function () {
  "use strict";
  var served = document.currentScript.getAttribute("data-etag") || "";
  var query = "?path=" + encodeURIComponent(window.location.pathname) +
    "&etag=" + encodeURIComponent(served);
  var events = new EventSource("/_pressroom/events" + query);
  events.addEventListener("reload", function () {
    events.close();
    window.location.reload();
  });
}());
