# tools/pictures.mk - `make pictures`, included by the top Makefile.
#
# Boots build/kernel.iso with `pictures` on the command line (an SMBIOS OEM
# string, so the ISO is the one `make run` uses): kernel/pictures.c runs an
# allocator stress scenario, printing a memdump after each phase, and exits
# QEMU. tools/mempictures.py turns the captured serial log into SVG files
# and an index.html under build/pictures/ (docs/PICTURES.md says how to read
# them). Python 3's standard library is all it needs.

PICTURES_DIR := $(BUILD)/pictures

.PHONY: pictures
pictures: $(ISO)
	@mkdir -p $(PICTURES_DIR)
	@rm -f $(PICTURES_DIR)/*.svg $(PICTURES_DIR)/index.html
	@echo "  QEMU    pictures scenario ($(MEM), $(SMP) CPUs), serial log $(PICTURES_DIR)/serial.log"
	$(Q)timeout 600 $(QEMU) $(QEMU_ARGS) -cdrom $(ISO) -serial file:$(PICTURES_DIR)/serial.log \
		-monitor none -smbios type=11,value=pictures </dev/null; \
	status=$$?; \
	if [ $$status -ne 33 ]; then \
		echo "make pictures: QEMU exit status $$status (33 expected); see $(PICTURES_DIR)/serial.log" >&2; \
		exit 1; \
	fi
	$(Q)$(PYTHON) tools/mempictures.py $(PICTURES_DIR)/serial.log -o $(PICTURES_DIR)
	@echo "  open $(PICTURES_DIR)/index.html"
