-- parallel_scsi.lua - a Wireshark dissector for the SCSI captures that
-- `scsinet run --scsi-pcapng FILE` writes: the draft LINKTYPE_PARALLEL_SCSI
-- framing (squishy-scsi/wireshark-scsi, docs/LINKTYPE_PARALLEL_SCSI.md at
-- git rev 35ba02a), carried as DLT_USER7 (154) as the draft does.
--
--   wireshark -X lua_script:viz/parallel_scsi.lua capture.pcapng
--   tshark -X lua_script:viz/parallel_scsi.lua -r capture.pcapng
--
-- Each frame: u32 header length (28), u8 frame type, u8 originating SCSI
-- ID, u8 destination SCSI ID, 17 reserved bytes, u32 data length, the
-- data, padding to 4 bytes; all big-endian.  Frame type 0x06 (STATUS) is
-- scsinet's: the draft has none for the STATUS phase.
--
-- Decoded on top: the CDB's operation (RFC 2143's SEND MESSAGE(10) with
-- its length and protocol type), the messages (SCSI-2 5.6), the status
-- byte (SCSI-2 Table 27), the ID bits of arbitration and selection.

local p = Proto("pscsi", "Parallel SCSI (LINKTYPE_PARALLEL_SCSI draft)")

local types = {
	[0x00] = "Command", [0x01] = "Data-In", [0x02] = "Data-Out",
	[0x03] = "Message", [0x04] = "Arbitration",
	[0x05] = "Selection/Reselection", [0x06] = "Status (scsinet)",
	[0x09] = "Information Unit", [0x0F] = "Bus Condition",
	[0xFF] = "Invalid",
}
local ops = {
	[0x00] = "TEST UNIT READY", [0x03] = "REQUEST SENSE",
	[0x12] = "INQUIRY", [0x2A] = "SEND MESSAGE(10)",
}
local statuses = {
	[0x00] = "GOOD", [0x02] = "CHECK CONDITION", [0x04] = "CONDITION MET",
	[0x08] = "BUSY", [0x10] = "INTERMEDIATE", [0x18] = "RESERVATION CONFLICT",
	[0x22] = "COMMAND TERMINATED", [0x28] = "QUEUE FULL",
}
local msgs = {
	[0x00] = "COMMAND COMPLETE", [0x02] = "SAVE DATA POINTER",
	[0x03] = "RESTORE POINTERS", [0x04] = "DISCONNECT",
	[0x05] = "INITIATOR DETECTED ERROR", [0x06] = "ABORT",
	[0x07] = "MESSAGE REJECT", [0x08] = "NO OPERATION",
	[0x09] = "MESSAGE PARITY ERROR", [0x0C] = "BUS DEVICE RESET",
}

local f = {
	hlen = ProtoField.uint32("pscsi.header_len", "Header length"),
	type = ProtoField.uint8("pscsi.type", "Frame type", base.HEX, types),
	orig = ProtoField.uint8("pscsi.orig", "Originating ID"),
	dest = ProtoField.uint8("pscsi.dest", "Destination ID"),
	dlen = ProtoField.uint32("pscsi.data_len", "Data length"),
	data = ProtoField.bytes("pscsi.data", "Data"),
	op = ProtoField.uint8("pscsi.cdb.opcode", "Operation code", base.HEX, ops),
	sm_len = ProtoField.uint16("pscsi.cdb.send_length", "SEND MESSAGE length"),
	sm_type = ProtoField.uint8("pscsi.cdb.rfc2143_type", "RFC 2143 type"),
	status = ProtoField.uint8("pscsi.status", "Status", base.HEX, statuses),
	msg = ProtoField.string("pscsi.messages", "Messages"),
	ids = ProtoField.uint16("pscsi.ids", "ID bits on DB", base.HEX),
}
p.fields = f

local function messages(tvb, off, len)
	local out, i = {}, 0
	while i < len do
		local c = tvb(off + i, 1):uint()
		if c >= 0x80 then
			out[#out + 1] = string.format("IDENTIFY LUN %d", c % 8)
			i = i + 1
		elseif c == 0x01 and i + 1 < len then
			local xl = tvb(off + i + 1, 1):uint()
			if xl == 3 and i + 5 <= len and tvb(off + i + 2, 1):uint() == 1 then
				out[#out + 1] = string.format("SDTR %d ns offset %d",
					4 * tvb(off + i + 3, 1):uint(), tvb(off + i + 4, 1):uint())
			else
				out[#out + 1] = "EXTENDED"
			end
			i = i + 2 + xl
		else
			out[#out + 1] = msgs[c] or string.format("message %02X", c)
			i = i + 1
		end
	end
	return table.concat(out, "; ")
end

function p.dissector(tvb, pinfo, tree)
	if tvb:len() < 28 then return 0 end
	pinfo.cols.protocol = "PSCSI"
	local t = tree:add(p, tvb(), "Parallel SCSI frame")
	t:add(f.hlen, tvb(0, 4))
	local ty = tvb(4, 1):uint()
	local orig, dest = tvb(5, 1):uint(), tvb(6, 1):uint()
	t:add(f.type, tvb(4, 1))
	t:add(f.orig, tvb(5, 1))
	t:add(f.dest, tvb(6, 1))
	local dlen = tvb(24, 4):uint()
	t:add(f.dlen, tvb(24, 4))
	if dlen > tvb:len() - 28 then dlen = tvb:len() - 28 end
	local info = string.format("%s %d -> %d", types[ty] or "?", orig, dest)
	if dlen > 0 then
		t:add(f.data, tvb(28, dlen))
		if ty == 0x00 then
			local op = tvb(28, 1):uint()
			t:add(f.op, tvb(28, 1))
			info = info .. ": " .. (ops[op] or string.format("op %02Xh", op))
			if op == 0x2A and dlen >= 10 then
				t:add(f.sm_len, tvb(35, 2))
				t:add(f.sm_type, tvb(33, 1), tvb(33, 1):uint() % 16)
				info = info .. string.format(" %d bytes type %d",
					tvb(35, 2):uint(), tvb(33, 1):uint() % 16)
			end
		elseif ty == 0x06 then
			t:add(f.status, tvb(28, 1))
			info = info .. ": " .. (statuses[tvb(28, 1):uint()] or "status")
		elseif ty == 0x03 then
			local m = messages(tvb, 28, dlen)
			t:add(f.msg, tvb(28, dlen), m)
			info = info .. ": " .. m
		elseif ty == 0x04 or ty == 0x05 then
			t:add(f.ids, tvb(28, dlen))
		elseif ty == 0x01 or ty == 0x02 then
			info = info .. string.format(": %d bytes", dlen)
		end
	end
	pinfo.cols.src = tostring(orig)
	pinfo.cols.dst = tostring(dest)
	pinfo.cols.info = info
	return tvb:len()
end

local encaps = wtap_encaps or wtap
DissectorTable.get("wtap_encap"):add(encaps.USER7, p)
