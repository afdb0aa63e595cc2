// Redoc for /redoc, without inline script: the schema's address comes from a data- attribute.
'use strict';
(function () {
  // Redoc's side menu shows Redocly's logo from their CDN, and no option turns it off. This
  // page loads nothing from another host: that one picture becomes an empty one.
  const OUTSIDE_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
  const EMPTY_PICTURE = 'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E';
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
  Object.defineProperty(HTMLImageElement.prototype, 'src', {
    ...src,
    set(value) {
      src.set.call(this, value === OUTSIDE_LOGO ? EMPTY_PICTURE : value);
    },
  });

  const root = document.getElementById('redoc');
  // Search runs in a worker made from a blob: URL, which script-src 'self' forbids.
  window.Redoc.init(root.dataset.openapiUrl, { disableSearch: true }, root);
})();
