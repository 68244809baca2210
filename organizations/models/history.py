import pghistory


def audited():
    """Inserts, updates (with their diff) and deletions, recorded by database triggers so that
    bulk updates and changes made outside Django are caught too. Trackers are bound to one
    model, so each model gets its own."""
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
