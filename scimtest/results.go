package scimtest

// Every resource type's create and read are checked alike: a call that
// fails, or returns nil with no error, is reported with the call as the
// check made it.

// created stops the check when a create, call, failed or returned a nil
// noun with no error: the check needs what it created to go on.
func created[R any](t tb, call, noun string, r *R, err error) *R {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	if r == nil {
		t.Fatalf("%s returned a nil %s and no error", call, noun)
	}
	return r
}

// read returns what a read, call, returned, or nil after reporting that it
// failed or returned a nil noun with no error.
func read[R any](t tb, call, noun string, r *R, err error) *R {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", call, err)
		return nil
	}
	if r == nil {
		t.Errorf("%s returned a nil %s and no error", call, noun)
	}
	return r
}
