use core::ops::Deref;
use std::cell::RefCell;
use std::rc::Rc;

use razor_core::Node;
use razor_core::transport::ConnectionTable;
use tokio::task::JoinHandle;

/// A native transport's connections (the core's [`ConnectionTable`]) and its listener tasks.
/// Cheap to clone.
#[derive(Clone, Default)]
pub struct Connections {
    table: ConnectionTable,
    listeners: Rc<RefCell<Vec<JoinHandle<()>>>>,
}

impl Deref for Connections {
    type Target = ConnectionTable;
    fn deref(&self) -> &ConnectionTable {
        &self.table
    }
}

impl Connections {
    /// Keeps a listener task, to stop it on shutdown.
    pub fn add_listener(&self, task: JoinHandle<()>) {
        self.listeners.borrow_mut().push(task);
    }

    /// Stops the listeners and closes every connection.
    pub fn shutdown(&self, node: &Node) {
        for task in self.listeners.borrow_mut().drain(..) {
            task.abort();
        }
        self.table.close_all(node);
    }
}
