/* The book's small fixes in the browser (see _ext/book_theme.py for the build-side ones).
 *
 * Live Code (Thebe) runs the page's code on mybinder.org: it needs the network. Offline,
 * or when the Thebe library cannot be fetched, the button says so instead of showing
 * "Loading thebe from CDN..." forever.
 */
(() => {
  const MESSAGE = "Live Code needs the network: it runs this page on mybinder.org. "
    + "Connect to the internet, or download the notebook and run it locally.";

  function tellNeedsNetwork() {
    document.querySelectorAll(".thebe-launch-button, .btn-launch-thebe").forEach((el) => {
      el.setAttribute("title", MESSAGE);
    });
    let note = document.getElementById("book-thebe-offline");
    if (!note) {
      note = document.createElement("p");
      note.id = "book-thebe-offline";
      note.className = "admonition warning book-thebe-offline";
      note.setAttribute("role", "status");
      const article = document.querySelector("article.bd-article") || document.body;
      article.prepend(note);
    }
    note.textContent = MESSAGE;
  }

  // the click that would start Thebe: offline, say so at once
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".btn-launch-thebe");
    if (button && !navigator.onLine) tellNeedsNetwork();
  }, true);

  // the Thebe library (from a CDN) failed to load
  window.addEventListener("error", (event) => {
    const src = event.target && event.target.src;
    if (src && /thebe/i.test(src)) tellNeedsNetwork();
  }, true);
})();
