// scimadmin: copy buttons and a refreshing activity log. The page works
// without this script; it only adds to it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
	document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
		var field = document.getElementById(button.dataset.copy);
		if (!field || !navigator.clipboard) {
			return;
		}
		var label = button.textContent;
		button.hidden = false;
		button.addEventListener("click", function () {
			navigator.clipboard.writeText(field.value).then(function () {
				button.textContent = "Copied";
			}, function () {
				field.select();
				button.textContent = "Select and copy";
			});
			setTimeout(function () { button.textContent = label; }, 2000);
		});
	});

	// The log's first page refreshes every 10 seconds while the page is in
	// view; later pages stay put, so that reading them is not disturbed.
	var log = document.getElementById("activity-log");
	if (!log || log.dataset.page !== "1" || !window.fetch) {
		return;
	}
	var refresh = function () {
		var current = document.getElementById("activity-log");
		if (document.hidden || !current) {
			return;
		}
		fetch("log" + current.dataset.query, {credentials: "same-origin", headers: {"Accept": "text/html"}})
			.then(function (response) { return response.ok ? response.text() : null; })
			.then(function (html) {
				if (!html) {
					return;
				}
				var doc = new DOMParser().parseFromString(html, "text/html");
				var fresh = doc.getElementById("activity-log");
				if (fresh) {
					current.replaceWith(fresh);
				}
			})
			.catch(function () {});
	};
	setInterval(refresh, 10000);
});
