//! The flowwalk observer app: the PWA in a browser (`--features web`), or a native window
//! (`--features desktop`). All of it is in the library; this only launches it.

fn main() {
    dioxus::launch(flowwalk_observer::ui::App);
}
