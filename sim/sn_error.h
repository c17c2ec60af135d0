/*
 * sn_error.h - the one error enum of scsinet, and its strerror.
 *
 * Library code never prints or exits: it returns one of these and lets the
 * caller (the CLI, a test) decide.  Anything a scenario file or a simulated
 * peer can cause is an error return; impossible internal states are asserts.
 */
#ifndef SN_ERROR_H
#define SN_ERROR_H

enum sn_err {
	SN_OK = 0,
	SN_EINVAL,    /* an argument is malformed (bad syntax, unknown name) */
	SN_ERANGE,    /* a value is well-formed but out of its allowed range */
	SN_ENOMEM,    /* an allocation failed */
	SN_EEXIST,    /* the thing is already there (duplicate name, ID) */
	SN_ENOENT,    /* the thing named does not exist */
	SN_EBUSY,     /* the resource is in use; try again later */
	SN_ESTATE,    /* the call is not valid in the object's current state */
	SN_EIO,       /* reading or writing a file failed */
	SN_ERR_COUNT_ /* number of codes; not an error */
};

/* A short, constant, human-readable description of `err`.  Never NULL. */
const char *sn_strerror(enum sn_err err);

#endif
