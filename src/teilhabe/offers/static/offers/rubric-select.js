// The offer form: only the rubrics of the chosen field of action can be picked. The server
// refuses a rubric of another field anyway; this spares the round trip. Each optgroup of the
// rubric select is a field of action; data-fields maps a field's value to its optgroup label.
document.addEventListener("DOMContentLoaded", () => {
  const field = document.getElementById("id_field_of_action");
  const rubric = document.getElementById("id_rubric");
  if (!field || !rubric || !rubric.dataset.fields) return;
  const labels = JSON.parse(rubric.dataset.fields);
  const limit = () => {
    const chosen = labels[field.value];
    for (const group of rubric.querySelectorAll("optgroup")) {
      const other = chosen !== undefined && group.label !== chosen;
      group.disabled = other;
      group.hidden = other;
      if (other && group.contains(rubric.selectedOptions[0])) rubric.value = "";
    }
  };
  field.addEventListener("change", limit);
  limit();
});
