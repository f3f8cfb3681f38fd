/* Help desk forms posted in place with htmx (CKAN 2.11).
 *
 * A refused comment comes back 400 (or 429 over a rate limit) with its
 * errors beside the fields and what was typed: htmx swaps only 2xx answers
 * by default, so inside a [data-helpdesk-inplace] part of the page these
 * are swapped in as well. Without htmx (CKAN 2.10) this never runs.
 */
document.addEventListener("htmx:beforeSwap", function (event) {
  "use strict";
  var status = event.detail.xhr.status;
  if ((status === 400 || status === 429) &&
      event.detail.target.closest("[data-helpdesk-inplace]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
