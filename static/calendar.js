// Copy buttons for feed addresses: progressive enhancement. Without JavaScript the buttons stay
// hidden and the address stays in a read-only field that can be selected and copied by hand.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { button.textContent = "Copied"; },
        function () { field.select(); button.textContent = "Select and copy by hand"; }
      );
      setTimeout(function () { button.textContent = label; }, 3000);
    });
  });
  document.querySelectorAll(".copy-row input[readonly]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
