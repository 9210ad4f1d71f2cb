// Buttons marked data-print open the browser's print dialog (the page's print styles apply).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
