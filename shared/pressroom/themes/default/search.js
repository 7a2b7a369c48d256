// The search page's script: finds posts in the site's search index, in the browser.
// search.json names the index's shards, newest month first; each shard is fetched once,
// when a search first needs it, and results show as the shards arrive. Results are built
// with textContent only: a title or a tag is always text, never markup.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var root = form.getAttribute("data-root");
  var MAX_RESULTS = 100;
  var shards = null;
  var searching = 0;

  function words(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function manifest() {
    if (shards === null) {
      shards = fetch(root + "search.json").then(function (response) {
        if (!response.ok) { throw new Error("search.json: " + response.status); }
        return response.json();
      }).then(function (index) {
        return index.shards.map(function (key) {
          return { key: key, records: null };
        });
      });
    }
    return shards;
  }

  function load(shard) {
    if (shard.records === null) {
      shard.records = fetch(root + shard.key).then(function (response) {
        if (!response.ok) { throw new Error(shard.key + ": " + response.status); }
        return response.json();
      });
    }
    return shard.records;
  }

  function matches(record, terms) {
    var found = words([record.title, record.description || ""].concat(record.tags || []).join(" "));
    return terms.every(function (term) {
      return found.some(function (word) { return word.indexOf(term) === 0; });
    });
  }

  function show(record) {
    var item = document.createElement("li");
    var article = document.createElement("article");
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = record.url;
    link.textContent = record.title;
    heading.appendChild(link);
    article.appendChild(heading);
    var meta = document.createElement("p");
    meta.className = "meta";
    var time = document.createElement("time");
    time.dateTime = record.date;
    time.textContent = record.date.slice(0, 10);
    meta.appendChild(time);
    article.appendChild(meta);
    if (record.description) {
      var summary = document.createElement("p");
      summary.className = "summary";
      summary.textContent = record.description;
      article.appendChild(summary);
    }
    item.appendChild(article);
    list.appendChild(item);
  }

  function search(query) {
    var terms = words(query);
    var run = ++searching;
    list.textContent = "";
    if (terms.length === 0) {
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    var shown = 0;
    manifest().then(function (all) {
      return all.reduce(function (previous, shard) {
        return previous.then(function () {
          if (run !== searching || shown >= MAX_RESULTS) { return null; }
          return load(shard).then(function (records) {
            if (run !== searching) { return; }
            records.forEach(function (record) {
              if (shown < MAX_RESULTS && matches(record, terms)) {
                show(record);
                shown += 1;
              }
            });
          });
        });
      }, Promise.resolve());
    }).then(function () {
      if (run !== searching) { return; }
      status.textContent = shown === 0 ? "No post matches." :
        (shown >= MAX_RESULTS ? "The first " + MAX_RESULTS + " posts found." :
          shown + (shown === 1 ? " post found." : " posts found."));
    }).catch(function (error) {
      if (run === searching) { status.textContent = "The search index could not be read (" + error.message + ")."; }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    search(input.value);
  });

  var asked = new URL(window.location.href).searchParams.get("q");
  if (asked) {
    input.value = asked;
    search(asked);
  }
}());
