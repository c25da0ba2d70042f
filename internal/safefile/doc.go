// Package safefile reads and writes Foresight's files so that they cannot be turned against
// their user: writes are whole or not at all, never replace anything but a regular file, and
// keep an existing file's permission bits; reads take only regular files of a bounded size,
// so that a FIFO, a device or a huge file at a path cannot hang or exhaust a reader.
//
// A symbolic link at a path is followed: Write replaces the regular file it leads to,
// atomically in that file's directory, and leaves the link in place; a link that leads
// nowhere is refused, as is any path that leads to a directory, a FIFO, a socket or a device.
// An existing file's owner is not kept: the new file belongs to the writer. The reasons for
// these choices are in docs/decisions/files.md.
package safefile
