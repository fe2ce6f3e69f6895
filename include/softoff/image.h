/* The embedded-image contract shared by softoff-qemu boot (which writes a minimal initramfs
 * when no --initrd is given) and softoff-agent (that image's /init). docs/initramfs.md,
 * "The embedded image", describes it in full. */
#ifndef SOFTOFF_IMAGE_H
#define SOFTOFF_IMAGE_H

/* The kernel modules the agent loads as the image's /init: one absolute path of a .ko file a
 * line, in load order (dependencies first); blank lines and # comments are ignored. */
#define SOFTOFF_IMAGE_MODULES "/etc/softoff/modules"

#endif
