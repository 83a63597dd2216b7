// The market page, offline-first. Without JavaScript the page is a plain form that records each
// sale at once. With it, every sale goes first into this phone's IndexedDB outbox with its own
// client_id, then is sent to POST /api/sales; a sale made without signal waits there until the
// signal returns. The server records a client_id only once, so sending twice is harmless.
(function () {
  "use strict";
  var form = document.getElementById("sale-form");
  var status = document.getElementById("outbox-status");
  if (!form || !status || !window.indexedDB || !window.fetch) return;

  var DB_NAME = "coop-market";
  var STORE = "outbox";
  var CACHE = "coop-market-v1"; // the service worker's cache (see /sw.js)
  var sending = false;

  // --- the service worker: keeps /market and its assets for when there is no signal ---------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }

  // --- IndexedDB, wrapped in promises -------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "client_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function queued() { return withStore("readonly", function (s) { return s.getAll(); }); }
  function keep(sale) { return withStore("readwrite", function (s) { return s.put(sale); }); }
  function forget(id) { return withStore("readwrite", function (s) { return s.delete(id); }); }

  // --- what the page says -------------------------------------------------------------------
  function say(text) { status.hidden = false; status.textContent = text; }
  function showCount(n) {
    if (n === 0) { say(status.dataset.allSent); return; }
    var words = n === 1 ? status.dataset.waitingOne : status.dataset.waitingMany;
    say(words.replace("{n}", String(n)));
  }
  function money(cents) { // as the server writes it: "$18", "$3.50", "$1,250"
    var whole = Math.floor(cents / 100).toLocaleString("en-US");
    return "$" + whole + (cents % 100 ? "." + String(cents % 100).padStart(2, "0") : "");
  }
  function addCents(element, cents) {
    if (!element) return;
    var total = Number(element.dataset.cents) + cents;
    element.dataset.cents = String(total);
    element.textContent = money(total);
  }
  function counted(sale) {
    // The running day total and the stock shown count a sale as soon as it is made.
    var cents = sale.quantity * sale.price_cents;
    addCents(document.getElementById("day-total"), cents);
    addCents(document.getElementById("pay-" + sale.payment), cents);
    var count = document.getElementById("day-count");
    if (count) {
      count.dataset.count = String(Number(count.dataset.count) + 1);
      var words = count.dataset.count === "1" ? form.dataset.saleOne : form.dataset.saleMany;
      count.textContent = words.replace("{n}", count.dataset.count);
    }
    var button = form.querySelector('button[value="' + sale.product_id + '"]');
    var stock = form.querySelector('[data-stock-for="' + sale.product_id + '"]');
    if (button && stock) {
      var left = Number(button.dataset.stock) - sale.quantity;
      button.dataset.stock = String(left);
      stock.textContent = (left < 0 ? form.dataset.below : form.dataset.left).replace("{n}", String(left));
      stock.classList.toggle("below-zero", left < 0);
    }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = form.querySelector('[name="_csrf_token"]');
    return field ? field.value : "";
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  // --- sending: oldest first; stop at the first network failure and try again later ----------
  function send() {
    // Without signal, don't even try (a failed request would only fill the console).
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    var refreshed = false;
    return queued().then(function (sales) {
      sales.sort(function (a, b) { return a.made_at - b.made_at; });
      var chain = Promise.resolve(true);
      sales.forEach(function (sale) {
        chain = chain.then(function (goOn) {
          if (!goOn || goOn === "held") return goOn;
          return fetch("/api/sales", {
            method: "POST",
            credentials: "same-origin",
            headers: { "content-type": "application/json", "x-csrftoken": csrfToken() },
            body: JSON.stringify(sale.body)
          }).then(function (response) {
            if (response.ok) { refreshed = true; return forget(sale.client_id).then(function () { return true; }); }
            if (response.status >= 500) return false; // the server is unwell: try later
            return response.json().catch(function () { return {}; }).then(function (body) {
              var reason = body.detail || String(response.status);
              if (response.status === 401 || response.status === 403) {
                // Logged out, or not (or no longer) selling: never drop a sale for that. It
                // stays on this phone, and the page says why, until someone who may sends it.
                say(status.dataset.held.replace("{reason}", reason));
                return "held";
              }
              // The sale itself is wrong (400, 409, 422): it would never succeed. Say why.
              say(status.dataset.refused.replace("{reason}", reason));
              return forget(sale.client_id).then(function () { return "refused"; });
            });
          }, function () { return false; }); // no signal
        });
      });
      return chain;
    }).then(function (last) {
      sending = false;
      if (refreshed && window.caches) {
        // Keep the copy shown offline up to date with what the server now holds.
        caches.open(CACHE).then(function (cache) { return cache.add("/market"); }).catch(function () {});
      }
      return queued().then(function (left) {
        if (last === "held") return; // keep the reason on screen
        if (last !== "refused" || left.length) showCount(left.length);
      });
    }, function () { sending = false; });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.name !== "product_id") return; // let the plain form handle the rest
    event.preventDefault();
    var data = new FormData(form);
    var quantity = parseInt(data.get("quantity"), 10);
    if (!(quantity >= 1 && quantity <= 1000)) { document.getElementById("quantity").focus(); return; }
    var clientId = newId();
    var body = {
      product_id: Number(button.value),
      quantity: quantity,
      payment: data.get("payment") || "cash",
      sold_on: form.dataset.today,
      channel: "market",
      client_id: clientId
    };
    if (form.dataset.shift) body.shift_id = Number(form.dataset.shift);
    var lot = (data.get("lot_code") || "").trim();
    if (lot) body.lot_code = lot;
    var sale = { client_id: clientId, made_at: Date.now(), body: body,
                 product_id: body.product_id, quantity: quantity, payment: body.payment,
                 price_cents: Number(button.dataset.price) };
    keep(sale).then(function () {
      counted(sale);
      return queued();
    }).then(function (left) { showCount(left.length); return send(); });
  });

  window.addEventListener("online", send);
  setInterval(send, 30000);
  queued().then(function (left) { if (left.length) showCount(left.length); send(); });
})();
