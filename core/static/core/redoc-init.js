// Starts ReDoc on the docs page (core/templates/drf_spectacular/redoc.html): a static file,
// because the Content-Security-Policy allows no inline script (docs/security.md).
(function () {
  "use strict";
  // ReDoc's side menu always shows its vendor's logo from cdn.redoc.ly. The policy refuses
  // every other origin (the docs work offline), which would put a violation in the console of
  // each visit; an empty image of our own takes its place instead.
  var VENDOR_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  var EMPTY_IMAGE = 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';
  var own = function (url) {
    return url === VENDOR_LOGO ? EMPTY_IMAGE : url;
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (url) {
      src.set.call(this, own(url));
    },
  });
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src") {
      value = own(value);
    }
    return setAttribute.call(this, name, value);
  };

  var container = document.getElementById("redoc-container");
  var settings = JSON.parse(container.dataset.settings || "{}");
  Redoc.init(container.dataset.schemaUrl, settings, container);
})();
