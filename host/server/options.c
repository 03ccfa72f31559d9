// SPDX-License-Identifier: MIT
#include "server/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dxg/protocol.h"
#include "engines/vulkan/vk_device.h"
#include "server/sandbox.h"
#include "server/vm.h"
#include "util/log.h"

int dxg_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	}
	if (shift && (!strcasecmp(end, "iB") || !strcasecmp(end, "B")))
		end += strlen(end);
	if (*end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

void dxg_options_usage(FILE *f)
{
	fprintf(f,
"Usage: dxghost [OPTION]...\n"
"opendxg host daemon: serves D3DKMT GPU paravirtualization to QEMU VMs\n"
"over ivshmem-doorbell (-chardev socket,path=SOCKET,id=dxg0\n"
" -device ivshmem-doorbell,chardev=dxg0,vectors=2).\n"
"\n"
"  -s, --socket PATH      listening unix socket (default %s)\n"
"      --socket-group GROUP  the socket's group (a name or number), for a\n"
"                         QEMU that runs as another user (libvirt's)\n"
"      --socket-mode MODE the socket's mode, octal (e.g. 0660; default:\n"
"                         from the umask)\n"
"  -m, --shm-size SIZE    shared memory per VM, power of two with optional\n"
"                         K/M/G suffix, 2M..4G (default 64M)\n"
"  -d, --device-memory SIZE  device-local memory a VM may allocate on a\n"
"                         Vulkan adapter, with optional K/M/G suffix; 0 offers\n"
"                         none (default 1G)\n"
"      --io-budget SIZE   IO-space bytes a VM may have committed; beyond it\n"
"                         offered allocations are discarded (default: the\n"
"                         whole IO space)\n"
"  -a, --adapter SPEC     offer an adapter; repeatable; SPEC is one of: %s\n"
"                         (default: vulkan, or cpu when there is no usable\n"
"                         Vulkan device); vulkan alone is the CPU Vulkan\n"
"                         device (lavapipe), else the first one; a SPEC\n"
"                         ending in ,compute-only offers a compute-only\n"
"                         adapter (which EnumAdapters2 does not list)\n"
"      --list-devices     list the Vulkan devices for --adapter vulkan:N and exit\n"
"  -n, --max-vms N        VMs served at once (default %u)\n"
"  -o, --max-objects N    host objects per VM (default %u)\n"
"  -l, --log-level LEVEL  error, warn, info or debug (default info)\n"
"  -q, --quiet            same as --log-level error\n"
"      --windows          answer as a Windows host does: no opendxg reply\n"
"                         extensions (docs/protocol.md section 5), for testing\n"
"                         the guest driver's Windows reply handling\n"
"      --no-async         do not enable asynchronous messages: the guest then\n"
"                         submits and signals synchronously, as to a host\n"
"                         without them\n"
"      --takeover         take the VMs over from the dxghost running on the\n"
"                         socket (an upgrade or restart without rebooting the\n"
"                         guests: they see a GPU reset); it exits\n"
"      --isolation MODE   process (default): each VM is served by its own\n"
"                         process, unprivileged and under a seccomp allowlist,\n"
"                         whose crash resets only that VM's GPU; none: one\n"
"                         process serves every VM\n"
"      --no-device-address  do not offer guests Vulkan buffer device\n"
"                         addresses (offered only with --isolation process,\n"
"                         where a VM's shaders reach only its own server's\n"
"                         device)\n"
"      --vm-user USER     the user VM server processes run as when dxghost\n"
"                         runs as root (default %s; it also gets the groups\n"
"                         render and video, for the GPU's device nodes)\n"
"      --vm-ready-timeout MS  how long a VM server may take to open its\n"
"                         Vulkan device and say it serves (default %u);\n"
"                         one that takes longer is killed and replaced\n"
"      --interface-version N  the dxgkrnl VM-bus interface version reported\n"
"                         to the guest, %u..%u (default %u)\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n",
		DXG_DEFAULT_SOCKET, dxg_adapter_kinds(), DXG_DEFAULT_MAX_VMS,
		DXG_DEFAULT_MAX_OBJECTS, DXG_DEFAULT_VM_USER,
		DXG_DEFAULT_VM_READY_MS,
		DXGK_VMBUS_INTERFACE_VERSION,
		DXG_MAX_INTERFACE_VERSION, DXGK_VMBUS_INTERFACE_VERSION);
}

enum {	/* long-only options */
	OPT_LIST_DEVICES = 256,
	OPT_WINDOWS,
	OPT_NO_ASYNC,
	OPT_TAKEOVER,
	OPT_INTERFACE_VERSION,
	OPT_IO_BUDGET,
	OPT_SOCKET_GROUP,
	OPT_SOCKET_MODE,
	OPT_ISOLATION,
	OPT_VM_USER,
	OPT_VM_READY,
	OPT_VM_SERVER,
	OPT_NO_DEVICE_ADDRESS,
};

/* A group name or number. */
static int parse_group(const char *s, gid_t *gid)
{
	const struct group *g = getgrnam(s);
	char *end;
	unsigned long v;

	if (g) {
		*gid = g->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !isdigit((unsigned char)*s) ||
	    v >= (gid_t)-1)
		return -1;
	*gid = (gid_t)v;
	return 0;
}

/* An octal permission mode, at most 0777, not 0. */
static int parse_mode(const char *s, mode_t *mode)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || end == s || *end || !isdigit((unsigned char)*s) ||
	    !v || v > 0777)
		return -1;
	*mode = (mode_t)v;
	return 0;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "dxghost: invalid %s '%s' (see --help)\n", what, arg);
	return DXG_OPT_EXIT_ERR;
}

static int opt_shm(struct dxg_options *o, const char *arg)
{
	uint64_t v;

	if (dxg_parse_size(arg, &v) || v < DXG_VM_MIN_SHM || v > DXG_VM_MAX_SHM ||
	    (v & (v - 1)))
		return bad("--shm-size (power of two, 2M..4G)", arg);
	o->shm_size = v;
	return DXG_OPT_RUN;
}

static int opt_adapter(struct dxg_options *o, const char *arg)
{
	int ret = dxg_adapters_add(&o->adapters, arg);

	if (ret == -ENOSPC) {
		fprintf(stderr, "dxghost: at most %u adapters\n",
			DXG_IVSHMEM_MAX_ADAPTERS);
		return DXG_OPT_EXIT_ERR;
	}
	if (ret == -ENODEV) {
		fprintf(stderr, "dxghost: no Vulkan device matches '%s' "
			"(see --list-devices)\n", arg);
		return DXG_OPT_EXIT_ERR;
	}
	if (ret == -ENOTSUP) {
		fprintf(stderr, "dxghost: the Vulkan device of '%s' cannot be used: "
			"Vulkan 1.1, a compute queue and VK_EXT_external_memory_host "
			"are required (see --list-devices)\n", arg);
		return DXG_OPT_EXIT_ERR;
	}
	if (ret) {
		fprintf(stderr, "dxghost: unknown adapter '%s' (known: %s)\n",
			arg, dxg_adapter_kinds());
		return DXG_OPT_EXIT_ERR;
	}
	return DXG_OPT_RUN;
}

static int list_devices(void)
{
	int32_t n = dxg_vk_list_devices(stdout);

	if (n > 0)
		return DXG_OPT_EXIT_OK;
	fprintf(stderr, "dxghost: no Vulkan devices (the loader, libvulkan1, and a "
		"driver are needed; mesa-vulkan-drivers has lavapipe)\n");
	return DXG_OPT_EXIT_ERR;
}

static int one_option(struct dxg_options *o, int c, const char *arg)
{
	int lvl;

	switch (c) {
	case 's':
		o->socket_path = arg;
		return DXG_OPT_RUN;
	case 'm':
		return opt_shm(o, arg);
	case 'a':
		return opt_adapter(o, arg);
	case 'd':
		return dxg_parse_size(arg, &o->device_memory) ||
		       o->device_memory > (1ull << 40) ?
		       bad("--device-memory (0..1T)", arg) : DXG_OPT_RUN;
	case 'n':
		return parse_u32(arg, 1, 4096, &o->max_vms) ?
		       bad("--max-vms (1..4096)", arg) : DXG_OPT_RUN;
	case 'o':
		return parse_u32(arg, 1, 1u << 22, &o->max_objects) ?
		       bad("--max-objects (1..4194304)", arg) : DXG_OPT_RUN;
	case 'l':
		lvl = dxg_log_parse_level(arg);
		if (lvl < 0)
			return bad("--log-level", arg);
		o->log_level = lvl;
		return DXG_OPT_RUN;
	case 'q':
		o->log_level = DXG_LOG_ERROR;
		return DXG_OPT_RUN;
	case 'h':
		dxg_options_usage(stdout);
		return DXG_OPT_EXIT_OK;
	case 'V':
		printf("dxghost (opendxg) %s\n", DXGHOST_VERSION);
		return DXG_OPT_EXIT_OK;
	case OPT_LIST_DEVICES:
		return list_devices();
	case OPT_WINDOWS:
		o->windows = true;
		return DXG_OPT_RUN;
	case OPT_NO_ASYNC:
		o->no_async = true;
		return DXG_OPT_RUN;
	case OPT_TAKEOVER:
		o->takeover = true;
		return DXG_OPT_RUN;
	case OPT_SOCKET_GROUP:
		return parse_group(arg, &o->socket_access.gid) ?
		       bad("--socket-group", arg) : DXG_OPT_RUN;
	case OPT_SOCKET_MODE:
		return parse_mode(arg, &o->socket_access.mode) ?
		       bad("--socket-mode", arg) : DXG_OPT_RUN;
	case OPT_INTERFACE_VERSION:
		return parse_u32(arg, DXGK_VMBUS_INTERFACE_VERSION,
				 DXG_MAX_INTERFACE_VERSION, &o->interface_version) ?
		       bad("--interface-version", arg) : DXG_OPT_RUN;
	case OPT_ISOLATION:
		if (strcmp(arg, "process") && strcmp(arg, "none"))
			return bad("--isolation (process or none)", arg);
		o->isolate = !strcmp(arg, "process");
		return DXG_OPT_RUN;
	case OPT_NO_DEVICE_ADDRESS:
		o->no_device_address = true;
		return DXG_OPT_RUN;
	case OPT_VM_USER:
		o->vm_user = arg;
		return DXG_OPT_RUN;
	case OPT_VM_READY:
		return parse_u32(arg, 1, 3600000, &o->vm_ready_ms) ?
		       bad("--vm-ready-timeout (1..3600000 ms)", arg) : DXG_OPT_RUN;
	case OPT_VM_SERVER:	/* internal: started by the supervisor */
		o->vm_server = true;
		return parse_u32(arg, 1, UINT32_MAX, &o->vm_server_id) ?
		       bad("--vm-server", arg) : DXG_OPT_RUN;
	case OPT_IO_BUDGET:
		return dxg_parse_size(arg, &o->io_budget) ||
		       o->io_budget > (4ull << 30) ?
		       bad("--io-budget (0..4G)", arg) : DXG_OPT_RUN;
	default:
		dxg_options_usage(stderr);
		return DXG_OPT_EXIT_ERR;
	}
}

int dxg_options_parse(struct dxg_options *o, int argc, char **argv,
		      uint32_t luid_high)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "shm-size", required_argument, NULL, 'm' },
		{ "adapter", required_argument, NULL, 'a' },
		{ "device-memory", required_argument, NULL, 'd' },
		{ "max-vms", required_argument, NULL, 'n' },
		{ "max-objects", required_argument, NULL, 'o' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list-devices", no_argument, NULL, OPT_LIST_DEVICES },
		{ "windows", no_argument, NULL, OPT_WINDOWS },
		{ "no-async", no_argument, NULL, OPT_NO_ASYNC },
		{ "takeover", no_argument, NULL, OPT_TAKEOVER },
		{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
		{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
		{ "interface-version", required_argument, NULL,
		  OPT_INTERFACE_VERSION },
		{ "io-budget", required_argument, NULL, OPT_IO_BUDGET },
		{ "isolation", required_argument, NULL, OPT_ISOLATION },
		{ "vm-user", required_argument, NULL, OPT_VM_USER },
		{ "vm-ready-timeout", required_argument, NULL, OPT_VM_READY },
		{ "vm-server", required_argument, NULL, OPT_VM_SERVER },
		{ "no-device-address", no_argument, NULL, OPT_NO_DEVICE_ADDRESS },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->socket_path = DXG_DEFAULT_SOCKET;
	o->socket_access.gid = (gid_t)-1;
	o->shm_size = DXG_DEFAULT_SHM_SIZE;
	o->device_memory = DXG_DEFAULT_DEVICE_MEMORY;
	o->max_vms = DXG_DEFAULT_MAX_VMS;
	o->max_objects = DXG_DEFAULT_MAX_OBJECTS;
	o->log_level = DXG_LOG_INFO;
	o->interface_version = DXGK_VMBUS_INTERFACE_VERSION;
	o->isolate = true;
	o->vm_user = DXG_DEFAULT_VM_USER;
	o->vm_ready_ms = DXG_DEFAULT_VM_READY_MS;
	dxg_adapters_init(&o->adapters, luid_high);
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:m:a:d:n:o:l:qhV", longopts, NULL)) != -1) {
		ret = one_option(o, c, optarg);
		if (ret != DXG_OPT_RUN)
			return ret;
	}
	if (optind < argc) {
		fprintf(stderr, "dxghost: unexpected argument '%s'\n", argv[optind]);
		return DXG_OPT_EXIT_ERR;
	}
	/* The level the user asked for governs the warning below too. */
	dxg_log_set_level(o->log_level);
	if (o->adapters.count == 0 && dxg_adapters_add(&o->adapters, "vulkan")) {
		/* The default: the CPU Vulkan device (lavapipe), else cpu. */
		log_warn("no usable Vulkan device (see --list-devices); "
			 "offering the cpu adapter (copy/fill/timestamp, no compute)");
		dxg_adapters_add(&o->adapters, "cpu");
	}
	return DXG_OPT_RUN;
}
