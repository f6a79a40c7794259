//! The desk: the web app of managers, department officers and panel members (served at
//! `/desk/`). All of it is in the library; this only launches it (in a browser: natively
//! there is nothing to launch, the crate's store and addresses are tested there).

#[cfg(target_arch = "wasm32")]
fn main() {
    dioxus::launch(flowwalk_desk::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("flowwalk-desk is a web app: scripts/build-web builds it for the browser");
}
