use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use razor_core::{Address, Node};

/// Open connections by the URL they were dialled with.
#[derive(Clone, Default)]
pub(crate) struct Connections {
    by_url: Rc<RefCell<HashMap<String, Address>>>,
}

impl Connections {
    pub(crate) fn get(&self, url: &str) -> Option<Address> {
        self.by_url.borrow().get(url).cloned()
    }

    /// Records a connection and returns the callback that forgets it when it closes.
    pub(crate) fn track(&self, url: String, address: Address) -> impl FnOnce() + 'static {
        self.by_url
            .borrow_mut()
            .insert(url.clone(), address.clone());
        let by_url = Rc::downgrade(&self.by_url);
        move || {
            if let Some(by_url) = by_url.upgrade() {
                let mut map = by_url.borrow_mut();
                if map.get(&url) == Some(&address) {
                    map.remove(&url);
                }
            }
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.by_url.borrow().len()
    }

    pub(crate) fn shutdown(&self, node: &Node) {
        let all: Vec<Address> = self.by_url.borrow_mut().drain().map(|(_, a)| a).collect();
        for address in all {
            let _ = node.stop_worker(&address);
        }
    }
}
