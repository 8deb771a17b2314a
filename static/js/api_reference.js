// Draws the API reference (Swagger UI, served from our static files) from the schema URL the page gives.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("api-reference");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: target.dataset.schemaUrl,
    domNode: target,
    deepLinking: true,
    tryItOutEnabled: false,
    supportedSubmitMethods: [],
  });
});
