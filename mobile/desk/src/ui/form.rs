//! The desk's form fields, one markup for every account form: a labelled input or choice
//! with its error beneath it (the form's own check before sending, or the server's answer
//! naming that `field`), marked for screen readers; and the banner for an error that names
//! no field.

use dioxus::prelude::*;

/// What kind of text a field takes, for the browser (its keyboard, its autofill).
#[derive(Clone, Copy)]
pub struct Input {
    /// The field's name, as the server names it.
    pub name: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
}

/// The id of the element holding a field's error.
fn error_id(name: &str) -> String {
    format!("f-{name}-error")
}

/// The error beneath a field.
fn field_error(name: &str, error: Option<String>) -> Element {
    let id = error_id(name);
    rsx! {
        if let Some(e) = error {
            p { class: "error", id: "{id}", role: "alert", "data-testid": "field-error", "{e}" }
        }
    }
}

/// A labelled text input bound to `value`.
pub fn text_field(
    label: &str,
    input: Input,
    mut value: Signal<String>,
    error: Option<String>,
) -> Element {
    let id = format!("f-{}", input.name);
    let invalid = if error.is_some() { "true" } else { "false" };
    let described = error.as_ref().map(|_| error_id(input.name));
    rsx! {
        label { r#for: "{id}", {label} }
        input {
            class: "field",
            id: "{id}",
            name: input.name,
            r#type: input.kind,
            autocomplete: input.autocomplete,
            autocapitalize: "none",
            spellcheck: "false",
            "aria-invalid": invalid,
            "aria-describedby": described,
            value: "{value}",
            oninput: move |e| value.set(e.value()),
        }
        {field_error(input.name, error)}
    }
}

/// A labelled choice of (value, words) bound to `value`.
pub fn choice_field(
    label: &str,
    name: &'static str,
    mut value: Signal<String>,
    choices: Vec<(String, String)>,
    error: Option<String>,
) -> Element {
    let id = format!("f-{name}");
    let invalid = if error.is_some() { "true" } else { "false" };
    let chosen = value.read().clone();
    rsx! {
        label { r#for: "{id}", {label} }
        select {
            id: "{id}",
            name: name,
            "aria-invalid": invalid,
            onchange: move |e: FormEvent| value.set(e.value()),
            for (v, words) in choices {
                option { key: "{v}", value: "{v}", selected: chosen == v, "{words}" }
            }
        }
        {field_error(name, error)}
    }
}

/// A select over every value of a shared enum, in its own words: the signal holds the value
/// itself, never its text (an option the page does not offer changes nothing).
pub fn enum_field<T: flowwalk_shared::TextEnum>(
    label: &str,
    name: &'static str,
    mut value: Signal<T>,
    lang: flowwalk_shared::Lang,
    error: Option<String>,
) -> Element {
    let id = format!("f-{name}");
    let invalid = if error.is_some() { "true" } else { "false" };
    let chosen = *value.read();
    rsx! {
        label { r#for: "{id}", {label} }
        select {
            id: "{id}",
            name: name,
            "aria-invalid": invalid,
            onchange: move |e: FormEvent| {
                if let Some(v) = T::parse(&e.value()) {
                    value.set(v);
                }
            },
            for v in T::all().iter().copied() {
                option { key: "{v.as_str()}", value: v.as_str(), selected: chosen == v, {v.label(lang)} }
            }
        }
        {field_error(name, error)}
    }
}

/// An error of the whole form (no field named), above it.
pub fn form_error(error: Option<String>) -> Element {
    rsx! {
        if let Some(e) = error {
            div { class: "banner error", role: "alert", "data-testid": "form-error", "{e}" }
        }
    }
}
