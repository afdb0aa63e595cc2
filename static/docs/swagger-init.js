// Swagger UI for /docs, without inline script: settings come from the page's data- attributes.
// validatorUrl null: Swagger UI would otherwise send the schema to an outside validator.
'use strict';
(function () {
  const root = document.getElementById('swagger-ui');
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    validatorUrl: null,
    deepLinking: true,
    layout: 'BaseLayout',
    presets: [window.SwaggerUIBundle.presets.apis],
    showExtensions: true,
    showCommonExtensions: true,
  });
})();
