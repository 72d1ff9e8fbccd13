// The behaviour the harness's tests drive: a form that reports what it saved.
document.getElementById("signal").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = document.getElementById("first-name").value;
  const purpose = document.getElementById("purpose").value;
  document.getElementById("status").textContent = "Opgeslagen: " + name + (purpose ? " (" + purpose + ")" : "");
});
