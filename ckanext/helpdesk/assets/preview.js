/* Markdown preview of the help desk's forms.
 *
 * The button posts the text of its field to the preview endpoint, which
 * renders it with the help desk's sanitising renderer: what the preview
 * shows is exactly what the issue page will show, and no script in it runs.
 *
 *   <button data-module="helpdesk-preview" data-module-url="/helpdesk/preview"
 *           data-module-source="field-id" data-module-target="preview-id">
 */
this.ckan.module("helpdesk-preview", function ($) {
  "use strict";
  return {
    options: {url: null, source: null, target: null},

    initialize: function () {
      this.el.on("click", this._preview.bind(this));
    },

    _preview: function () {
      var target = document.getElementById(this.options.target);
      var text = document.getElementById(this.options.source).value;
      fetch(this.options.url, {
        method: "POST",
        headers: {"X-CSRFToken": this._csrfToken()},
        body: new URLSearchParams({text: text}),
        credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      }).then(function (html) {
        target.innerHTML = html;  // sanitised by the server
        target.hidden = false;
      }).catch(function () {
        target.textContent = this._("The preview is not available.");
        target.hidden = false;
      }.bind(this));
    },

    /* CKAN puts the token in the page's head (see client.js). */
    _csrfToken: function () {
      var field = $("meta[name=csrf_field_name]").attr("content");
      return $("meta[name=" + field + "]").attr("content");
    }
  };
});
