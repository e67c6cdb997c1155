use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use razor_core::{Address, Node};
use tokio::task::JoinHandle;

/// A transport's open connections (by the peer address they were dialled with) and its
/// listener tasks. Cheap to clone.
#[derive(Clone, Default)]
pub struct Connections {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    dialled: RefCell<HashMap<String, Address>>,
    all: RefCell<Vec<Address>>,
    listeners: RefCell<Vec<JoinHandle<()>>>,
}

impl Connections {
    /// The sending worker of an open connection dialled to `peer`.
    pub fn dialled(&self, peer: &str) -> Option<Address> {
        self.inner.dialled.borrow().get(peer).cloned()
    }

    /// Records a new connection (dialled to `peer`, or accepted when `None`) and returns the
    /// callback that forgets it when it closes.
    pub fn track(&self, peer: Option<String>, address: Address) -> impl FnOnce() + 'static {
        if let Some(peer) = &peer {
            self.inner
                .dialled
                .borrow_mut()
                .insert(peer.clone(), address.clone());
        }
        self.inner.all.borrow_mut().push(address.clone());
        let inner = Rc::downgrade(&self.inner);
        move || {
            if let Some(inner) = inner.upgrade() {
                if let Some(peer) = peer {
                    let mut dialled = inner.dialled.borrow_mut();
                    if dialled.get(&peer) == Some(&address) {
                        dialled.remove(&peer);
                    }
                }
                inner.all.borrow_mut().retain(|a| a != &address);
            }
        }
    }

    /// Number of open connections.
    pub fn count(&self) -> usize {
        self.inner.all.borrow().len()
    }

    /// Keeps a listener task, to stop it on shutdown.
    pub fn add_listener(&self, task: JoinHandle<()>) {
        self.inner.listeners.borrow_mut().push(task);
    }

    /// Stops the listeners and closes every connection.
    pub fn shutdown(&self, node: &Node) {
        for task in self.inner.listeners.borrow_mut().drain(..) {
            task.abort();
        }
        let all: Vec<Address> = self.inner.all.borrow_mut().drain(..).collect();
        self.inner.dialled.borrow_mut().clear();
        for address in all {
            let _ = node.stop_worker(&address);
        }
    }
}
