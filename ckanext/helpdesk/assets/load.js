/* Replaces an element's content with a fragment of the page fetched after
 * the page itself: the dataset page's latest issues, which would otherwise
 * slow every dataset page down. The fragment is server-rendered (escaped).
 *
 *   <div data-module="helpdesk-load" data-module-url="/dataset/x/issues/latest">
 *     a link for browsers without JavaScript
 *   </div>
 */
this.ckan.module("helpdesk-load", function () {
  "use strict";
  return {
    options: {url: null},

    initialize: function () {
      var el = this.el[0];
      fetch(this.options.url, {credentials: "same-origin"})
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) { el.innerHTML = html; })
        .catch(function () { /* keep the link */ });
    }
  };
});
