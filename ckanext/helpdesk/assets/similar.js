/* Similar issues on the report form, on every CKAN version (2.10 has no
 * htmx): once typing in the title pauses, the open issues sharing a word
 * with it are fetched and shown below it, each to be +1'd instead. Without
 * JavaScript the form works as it is, without suggestions.
 *
 *   <input data-module="helpdesk-similar" data-module-url="/dataset/x/issues/similar"
 *          data-module-target="helpdesk-similar">
 */
this.ckan.module("helpdesk-similar", function () {
  "use strict";
  var PAUSE_MS = 400;
  return {
    options: {url: null, target: null},

    initialize: function () {
      this._timer = null;
      this._asked = 0;  // the newest request: older answers are dropped
      this._lastTitle = null;
      this.el.on("input", function () {
        clearTimeout(this._timer);
        this._timer = setTimeout(this._fetch.bind(this), PAUSE_MS);
      }.bind(this));
    },

    _fetch: function () {
      var title = this.el.val();
      if (title === this._lastTitle) {
        return;
      }
      this._lastTitle = title;
      var asked = ++this._asked;
      var target = document.getElementById(this.options.target);
      var url = this.options.url + "?" + new URLSearchParams({title: title});
      fetch(url, {credentials: "same-origin"}).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        if (asked === this._asked) {
          target.innerHTML = html;  // rendered (and escaped) by the server
        }
      }.bind(this)).catch(function () {
        // Suggestions are a convenience: the form works without them.
      });
    }
  };
});
