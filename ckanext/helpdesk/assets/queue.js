/* The issue queues' conveniences; without JavaScript the forms work as
 * they are (a Filter button, a checkbox per issue).
 *
 * helpdesk-autosubmit: a filter form applies a choice as soon as it is
 * made (a select changed, a search typed and confirmed); its Filter button
 * is kept for the search field.
 *
 * helpdesk-select-all: a checkbox that ticks or unticks every issue_id
 * checkbox of its form, and shows whether some or all are ticked.
 */
this.ckan.module("helpdesk-autosubmit", function () {
  "use strict";
  return {
    initialize: function () {
      var form = this.el[0];
      form.addEventListener("change", function (event) {
        if (event.target.tagName === "SELECT") {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
      });
    }
  };
});

this.ckan.module("helpdesk-select-all", function () {
  "use strict";
  return {
    initialize: function () {
      var all = this.el[0];
      var boxes = Array.prototype.slice.call(
        all.form.querySelectorAll("input[type=checkbox][name=issue_id]"));
      var reflect = function () {
        var ticked = boxes.filter(function (box) { return box.checked; });
        all.checked = ticked.length === boxes.length;
        all.indeterminate = ticked.length > 0 && ticked.length < boxes.length;
      };
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
      });
      boxes.forEach(function (box) { box.addEventListener("change", reflect); });
      reflect();
    }
  };
});
