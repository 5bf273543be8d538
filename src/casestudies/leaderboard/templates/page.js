(function () {
  const form = document.getElementById("submit-form");
  if (!form) return;
  const result = document.getElementById("result");
  const show = (text, kind) => { result.textContent = text; result.className = kind; };
  const fmt = (value, digits) => (value === null || value === undefined) ? "—" : Number(value).toFixed(digits);
  const when = (value) => (value && value.length >= 16) ? value.slice(5, 16).replace("T", " ") : "—";
  async function refresh() {
    const [board, standings] = await Promise.all([fetch("/api/board").then(r => r.json()), fetch("/api/standings").then(r => r.json())]);
    const digits = board.feedback_settings.digits;
    const body = document.querySelector("#standings tbody");
    body.replaceChildren();
    for (const row of standings.public) {
      const tr = document.createElement("tr");
      const cells = [[row.rank === null ? "" : String(row.rank), "num"], [row.participant, ""], [fmt(row.score, digits), "num"], [String(row.submissions), "num"], [when(row.last_submission), ""]];
      for (const [text, cls] of cells) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); }
      body.appendChild(tr);
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = document.getElementById("token").value.trim();
    const data = new FormData();
    data.append("file", document.getElementById("file").files[0]);
    const label = document.getElementById("label").value;
    if (label) data.append("label", label);
    show("Scoring…", "");
    let response;
    try {
      response = await fetch("/api/submissions", { method: "POST", body: data, headers: { "Authorization": "Bearer " + token } });
    } catch (err) { show("Could not reach the server: " + err, "error"); return; }
    const payload = await response.json().catch(() => ({ error: { message: "HTTP " + response.status, problems: [] } }));
    if (response.ok) {
      show(payload.message, "ok");
      await refresh();
    } else {
      const problems = (payload.error.problems || []).map(p => "• [" + p.code + "] expected " + p.expected + "; got " + p.received + ". " + p.hint);
      show([payload.error.message.split("\n")[0], ...problems].join("\n"), "error");
    }
  });
})();
