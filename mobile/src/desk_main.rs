//! The desk: the web app of managers, department officers and panel members (served at
//! `/desk/`). All of it is in the library's `desk` module; this only launches it.

fn main() {
    dioxus::launch(flowwalk_mobile::desk::App);
}
