"""Market day in Chromium at phone size: sales made without signal wait, then arrive once."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from .harness import PASSWORD, PHONE, assert_accessible, log_in
from .scene import Garden, unique

PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


def seller_at_the_stall(garden: Garden) -> tuple[str, int, str]:
    """A member on a market shift under way, and a product of 50 pops: (username, id, name)."""
    seller = garden.member("Rosa")
    shift = garden.shift("Saturday market", kind="market", days_ahead=3)
    garden.sign_up(seller, shift)
    garden.start_now(shift)
    name = unique("Mint pop")
    product = garden.record("products", {"name": name, "price_cents": 300})
    today = garden.record(
        "batches", {"product_id": product["id"], "made_on": "2026-06-01", "quantity": 50}
    )
    assert today["lot_code"]
    return seller, product["id"], name


def sales_of(garden: Garden, product_id: int) -> list[dict]:
    response = garden._send("GET", f"/api/sales?product_id={product_id}", None, garden.coordinator)
    assert response.status_code == 200
    return response.json()


def stock_of(garden: Garden, product_id: int) -> str:
    products = garden._send("GET", "/api/products", None, garden.coordinator).json()
    return next(p["stock"] for p in products if p["id"] == product_id)


def test_three_sales_made_offline_arrive_once_each(open_page: Callable[..., Page], garden, app_url):
    seller, product_id, name = seller_at_the_stall(garden)
    page = open_page(**PHONE_OPTIONS)
    log_in(page, app_url, seller)
    page.goto("/market")
    expect(page.get_by_role("heading", name="Market", level=1)).to_be_visible()
    # The service worker is installed and keeps the page for when the signal goes.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => caches.match('/market').then(r => !!r)")

    kept = page.evaluate(
        """() => caches.match('/market').then(r => r.text()).then(html =>
             new DOMParser().parseFromString(html, 'text/html')
               .querySelector('[name=client_id]').value)"""
    )

    page.context.set_offline(True)
    product = page.get_by_role("button", name=name)
    for quantity, payment in ((1, "Cash"), (2, "Card"), (3, "EBT")):
        page.get_by_label("How many").fill(str(quantity))
        page.get_by_label(payment, exact=True).check()
        product.click()
    status = page.get_by_role("status").filter(has_text="waiting")
    expect(status).to_have_text("3 sales waiting to send")
    expect(page.locator("#day-total")).to_have_text("$18")
    assert sales_of(garden, product_id) == []

    # Still offline, the page opens again (from the service worker) and still has them waiting.
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    # It is the kept copy (each copy from the server has a fresh client_id for its plain form).
    assert page.locator("[name=client_id]").input_value() == kept
    expect(page.get_by_role("heading", name="Market", level=1)).to_be_visible()
    expect(page.locator("#outbox-status")).to_have_text("3 sales waiting to send")
    assert sales_of(garden, product_id) == []

    page.context.set_offline(False)
    expect(page.locator("#outbox-status")).to_have_text("All sent", timeout=15_000)
    sales = sales_of(garden, product_id)
    assert sorted((s["quantity"], s["payment"]) for s in sales) == [
        (1, "cash"),
        (2, "card"),
        (3, "ebt"),
    ]
    assert all(s["client_id"] and s["channel"] == "market" for s in sales)

    # The phone sends each of them twice more (it never heard back): still three sales.
    with httpx.Client(base_url=app_url, timeout=10) as client:
        client.get("/login")
        headers = {"x-csrftoken": client.cookies["csrftoken"]}
        login = {"username": seller, "password": PASSWORD}
        assert client.post("/api/session", json=login, headers=headers).status_code == 200
        for sale in sales:
            body = {
                key: sale[key]
                for key in ("product_id", "quantity", "payment", "client_id", "shift_id")
            }
            for _ in range(2):
                again = client.post("/api/sales", json=body, headers=headers)
                assert again.status_code == 200 and again.json()["id"] == sale["id"]
    assert len(sales_of(garden, product_id)) == 3
    assert stock_of(garden, product_id) == "44"
    assert_accessible(page)


def test_the_market_page_works_without_javascript(open_page: Callable[..., Page], garden, app_url):
    seller, product_id, name = seller_at_the_stall(garden)
    page = open_page(java_script_enabled=False, **PHONE_OPTIONS)
    log_in(page, app_url, seller)
    page.goto("/market")
    page.get_by_label("How many").fill("4")
    page.get_by_label("Card", exact=True).check()
    page.get_by_role("button", name=name).click()
    expect(page.get_by_role("status").first).to_contain_text("Recorded: 4 ×")
    # Back and send again: the form's client_id makes it the same sale.
    assert [(s["quantity"], s["payment"]) for s in sales_of(garden, product_id)] == [(4, "card")]
    expect(page.get_by_role("button", name=name)).to_contain_text("46 left")
    assert stock_of(garden, product_id) == "46"


def test_a_write_off_shows_in_stock_and_can_go_below_zero(open_page, garden, app_url):
    _seller, product_id, name = seller_at_the_stall(garden)
    written = garden.record(
        "stock-adjustments", {"product_id": product_id, "quantity": 60, "reason": "Freezer failed"}
    )
    assert written["stock"] == "-10"
    page = open_page(**PHONE_OPTIONS)
    log_in(page, app_url, garden.coordinator)
    page.goto("/market")
    expect(page.get_by_role("button", name=name)).to_contain_text("Stock below zero: -10")
    page.goto("/sales")
    expect(page.get_by_role("row", name=name)).to_contain_text("below zero")


def test_the_service_worker_keeps_only_the_market_page_and_forgets_it_at_log_out(
    open_page: Callable[..., Page], garden, app_url
):
    seller, _product_id, _name = seller_at_the_stall(garden)
    page = open_page(**PHONE_OPTIONS)
    log_in(page, app_url, seller)
    page.goto("/market")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => caches.match('/market').then(r => !!r)")
    # Other personal pages and API answers pass through the worker untouched, never kept.
    for path in ("/me", "/pairs", "/api/me", "/api/products", "/market?counted=5", "/market"):
        page.goto(path)
    kept = page.evaluate(
        """() => caches.keys().then(names => Promise.all(names.map(name =>
             caches.open(name).then(cache => cache.keys()))))
           .then(lists => lists.flat().map(request => new URL(request.url).pathname
                                                      + new URL(request.url).search))"""
    )
    assert sorted(kept) == sorted(
        [
            "/market",
            "/static/vendor/pico.min.css",
            "/static/app.css",
            "/static/vendor/htmx.min.js",
            "/static/market.js",
            "/static/favicon.svg",
            "/manifest.webmanifest",
        ]
    ), kept
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    page.wait_for_function("() => caches.match('/market').then(r => r === undefined)")


def test_a_sale_the_server_refuses_for_its_seller_stays_on_the_phone(
    open_page: Callable[..., Page], garden, app_url
):
    """The market shift is cancelled while the phone has no signal: the sale is not lost."""
    seller, product_id, name = seller_at_the_stall(garden)
    shift = garden._send("GET", "/api/me/placements", None, seller).json()[0]["shift_id"]
    page = open_page(**PHONE_OPTIONS)
    log_in(page, app_url, seller)
    page.goto("/market")
    page.context.set_offline(True)
    page.get_by_role("button", name=name).click()
    expect(page.locator("#outbox-status")).to_have_text("1 sale waiting to send")
    garden._ok("POST", f"/api/shifts/{shift}/cancel", {"reason": "Storm"}, None)
    page.context.set_offline(False)
    expect(page.locator("#outbox-status")).to_contain_text(
        "Sales are waiting on this phone and could not be sent: You can record sales while"
    )
    waiting = page.evaluate(
        """() => new Promise(resolve => {
             const open = indexedDB.open('coop-market', 1);
             open.onsuccess = () => {
               const all = open.result.transaction('outbox').objectStore('outbox').getAll();
               all.onsuccess = () => resolve(all.result.length);
             };
           })"""
    )
    assert waiting == 1
    assert sales_of(garden, product_id) == []
